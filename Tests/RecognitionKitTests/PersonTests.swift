import Foundation
import Testing
import RecognitionKit
import VideoDecode

/// The index cascade's person detector (issue 21) on real pictures: OpenCV's `vtest.avi` (people
/// walking across a campus, seen from a first floor, 768×576) and `basketball1.png`.
@Suite struct PersonTests {
    static let opencvData = "/usr/share/doc/opencv-doc/examples/data/"

    func detector() throws -> PersonDetector {
        try PersonDetector(model: InferenceModel(path: Fixtures.models.file(PersonDetector.modelFile), name: "ssdlite-people", precision: .f32))
    }

    /// Eight seconds into vtest.avi five people walk across the path (counted by eye); the cones,
    /// the lamp post and the parked van are not people.
    @Test func findsTheWalkersInCCTVFootage() throws {
        let frame = try Fixtures.tempDir().appendingPathComponent("vtest-8s.png").path
        try Fixtures.ffmpeg(["-v", "error", "-y", "-ss", "8", "-i", Self.opencvData + "vtest.avi", "-frames:v", "1", frame])
        let people = try detector().detect(StillImage.load(frame, as: .rgb))
        #expect((4...6).contains(people.count), "\(people)")
        // All on the path (rows ~160–320 of 576), none on the lawn below it.
        #expect(people.allSatisfy { $0.box.y + $0.box.h / 2 < 360 }, "\(people)")
    }

    /// The man on the left of basketball1.png, whole and facing the camera: one box around him,
    /// his face (~x 60–100, y 85–135) inside its top part.
    @Test func findsAWholePersonWithHisFaceInTheBoxTop() throws {
        let people = try detector().detect(StillImage.load(Self.opencvData + "basketball1.png", as: .rgb))
        let left = try #require(people.first { $0.box.x + $0.box.w / 2 < 250 }, "\(people)")
        #expect(left.box.x <= 60 && left.box.x + left.box.w >= 100 && left.box.y <= 95 && left.box.y + left.box.h / 2 >= 135, "\(left)")
        #expect(left.score >= 0.8)
    }

    /// A picture without people gives none; a picture too small to look at gives none.
    @Test func noPeopleWhereThereAreNone() throws {
        let d = try detector()
        #expect(try d.detect(StillImage.load(Fixtures.sample("stills/plate.png"), as: .rgb)).isEmpty)
        #expect(try d.detect(Image(width: 4, height: 4, format: .rgb, pixels: [UInt8](repeating: 0, count: 48))).isEmpty)
    }
}
