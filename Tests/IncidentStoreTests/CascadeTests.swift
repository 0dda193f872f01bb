import Foundation
import GRDB
import Testing
@testable import IncidentStore
import Indexing
import RecognitionKit

/// The index cascade (issue 21) on footage rendered from pictures: a car (the sample still, plate
/// ABC-1234) drives left to right and a man (basketball1.png's, whole, facing the camera) walks
/// right to left across a real street photo, both from 1 s to 9 s of a 10 s 1280×720 clip; the
/// first frame, always a full look, shows the empty street.
@Suite(.serialized) struct CascadeTests {
    static let archive: URL = {
        let dir = try! Support.tempDir()
        let day = dir.appendingPathComponent("CAM01/2026-11-20")
        try! FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
        let data = "/usr/share/doc/opencv-doc/examples/data/"
        let graph = "[0:v]scale=1280:720,setsar=1[bg];[1:v]scale=560:315[car];[2:v]crop=170:410:15:70,scale=255:615[man];"
            + "[bg][car]overlay=x='-560+1840*(t-1)/8':y=380:enable='between(t,1,9)'[a];"
            + "[a][man]overlay=x='1280-1535*(t-1)/8':y=40:enable='between(t,1,9)'"
        try! Support.shell("/usr/bin/ffmpeg", ["-v", "error", "-y", "-loop", "1", "-framerate", "25", "-t", "10", "-i", data + "leuvenA.jpg",
                                               "-loop", "1", "-framerate", "25", "-t", "10", "-i", Support.root.appendingPathComponent("samples/stills/plate.png").path,
                                               "-loop", "1", "-framerate", "25", "-t", "10", "-i", data + "basketball1.png",
                                               "-filter_complex", graph, "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-g", "50",
                                               "-pix_fmt", "yuv420p", day.appendingPathComponent("140000.mp4").path])
        return dir
    }()

    func index(_ configure: (inout Indexing.IndexOptions) -> Void) throws -> (incident: Incident, summary: IndexSummary) {
        let path = try Support.tempDir().appendingPathComponent("cascade.forensic").path
        let incident = try Incident.create(at: path, config: Support.config(archive: Self.archive, cameras: ["CAM01"]),
                                           cameras: CameraRegistry.load(Support.cameras))
        var options = Indexing.IndexOptions()
        options.workers = 1
        options.cascade = true
        configure(&options)
        return (incident, try Indexer(incident: incident, options: options, models: ModelStore(directory: Support.models)).run())
    }

    func count(_ incident: Incident, _ sql: String) throws -> Int { try incident.db.read { try Int.fetchOne($0, sql: sql) ?? 0 } }

    /// Only the first look (the empty street) is full: the plate is found around the glance's
    /// glimpse, the face inside the person the detector found, and the person is stored.
    @Test func findsThePlateOnTheCarAndTheFaceOnThePersonBetweenFullLooks() throws {
        let (incident, summary) = try index { $0.fullLookEvery = 100 }
        #expect(summary.looks.fullLooks == 1, "\(summary.looks)")
        #expect(try count(incident, "SELECT COUNT(*) FROM plate_sighting WHERE text = 'ABC1234'") == 1)
        // His face (~58 px, a grey, smiling three-quarter view) is found in most looks; its quality
        // marks it junk for recognition, which is the descriptor's business, not the cascade's.
        #expect(try count(incident, "SELECT COUNT(*) FROM face_track") == 1)
        #expect(try count(incident, "SELECT COUNT(*) FROM face WHERE pts > 1") >= 3)
        let people = try count(incident, "SELECT COUNT(*) FROM object_look WHERE kind = 'person' AND pts BETWEEN 1 AND 9.5")
        #expect(people >= 3 && summary.looks.people == people, "people \(people), \(summary.looks)")
        #expect(try incident.info().peopleLooks == people)
        #expect(try count(incident, "SELECT COUNT(*) FROM object_look WHERE model NOT LIKE 'ssdlite-people@%'") == 0)
    }

    /// A glance that sees nothing (a twentieth of the text detector's scale): the periodic full
    /// look still finds the plate; without full looks after the first, it is lost — the full look
    /// is what found it.
    @Test func thePeriodicFullLookFindsThePlateTheGlanceMisses() throws {
        let (withFull, summary) = try index { $0.plateGlance = 0.05; $0.fullLookEvery = 2; $0.faces = false }
        #expect(summary.looks.fullLooks >= 4, "\(summary.looks)")
        #expect(try count(withFull, "SELECT COUNT(*) FROM plate_sighting WHERE text = 'ABC1234'") == 1)
        let (without, _) = try index { $0.plateGlance = 0.05; $0.fullLookEvery = 100; $0.faces = false }
        #expect(try count(without, "SELECT COUNT(*) FROM plate_sighting") == 0)
    }

    /// Without the cascade (the default): every look is full and no person detector runs.
    @Test func withoutTheCascadeEveryLookIsFull() throws {
        let (incident, summary) = try index { $0.cascade = false; $0.faces = false }
        #expect(summary.looks.fullLooks >= 9 && summary.looks.people == 0, "\(summary.looks)")
        #expect(try count(incident, "SELECT COUNT(*) FROM plate_sighting WHERE text = 'ABC1234'") == 1)
    }
}
