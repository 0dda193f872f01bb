import Foundation
import IncidentStore
import RecognitionKit
import VideoDecode

/// The per-frame pipeline for one file: decode, gate on motion, look for plates and faces in
/// what moved (at the whole frame's scale), track, group. Pure with respect to the store.
struct FileAnalysis: Sendable {
    let options: IndexOptions
    let stop: StopRequest
    /// Stored with the file's results.
    let plateModel: String

    /// Thrown inside a file's analysis when a stop was requested: the file is dropped, not failed.
    struct Stopped: Error {}
    /// The file changed while it was analysed: dropped, left pending for a later run.
    struct StillWriting: Error {}

    /// `analyse` on a thread of its own (a dispatch worker), abandoned when it makes no progress (no bytes hashed, no
    /// frame decoded) for `stallLimit` seconds: a read blocked in the kernel on a dead network
    /// share, where FFmpeg's interrupt callback cannot reach. The file fails with "read stalled";
    /// the stuck thread keeps the worker's recognisers, so the worker takes fresh ones from `models`.
    func analyseGuarded(_ path: String, worker: Worker, models: RunModels, stallLimit: Double) throws -> FileResult {
        let heartbeat = Heartbeat()
        let outcome = Outcome<FileResult>()
        let recognisers = worker.current
        DispatchQueue.global().async {
            outcome.finish(Result { try analyse(path: path, with: recognisers, beat: heartbeat.beat) })
        }
        while true {
            if let result = outcome.wait(seconds: 0.5) { return try result.get() }
            guard heartbeat.idle <= stallLimit else { break }
        }
        worker.replace(with: try models.makeWorker(first: false))
        throw StoreError(file: path, reason: String(format: "read stalled: no data for %.0f s (a dead network share?); file abandoned", stallLimit))
    }

    /// `beat` is called as bytes are hashed and frames decoded (the stall watchdog's heartbeat).
    func analyse(path: String, with recognisers: Recognisers, beat: @escaping @Sendable () -> Void = {}) throws -> FileResult {
        let (plates, faces, people) = (recognisers.plates, recognisers.faces, recognisers.people)
        let before = Catalogue.fileState(path)
        let sha = try sha256(of: path, progress: beat)
        let decoder = try VideoDecoder(path: path, options: DecodeOptions(policy: .perSecond(1 / options.every),
                                                                          skipNonReference: options.referenceFramesOnly, threads: 1,
                                                                          skipQuietGOPs: options.skipQuietGOPs))
        var gate = MotionGate()
        var tracker = PlateTracker(maxGap: 1.5 * options.every)
        // As far apart as looks that face tracks group (Grouping.faceTracks: 2.5 s): sampled
        // frames come further apart than `every` where only reference frames are decoded.
        var faceTracker = FaceTracker(maxGap: 2.5 * options.every)
        var looks = LookCounts()
        var reads: [TimedPlateRead] = []
        var found: [TimedFace] = []
        var objects: [ObjectLook] = []
        var analysed = 0
        var lastFull = -Double.infinity, lastFullLook = -Double.infinity
        // Plates seen at the last look (frame pixels): a look between full ones looks again where
        // they may have gone, whatever the glance saw.
        var platesSeen: (pts: Double, boxes: [PixelRect]) = (-Double.infinity, [])
        let stats = try decoder.decode { frame in
            if stop.requested { throw Stopped() }
            beat()
            let small = try frame.image(.gray, maxWidth: 160)
            var regions = gate.changedRegions(small)
            let still = regions == nil
            if still, frame.time - lastFull >= options.fullFrameEvery { regions = [.whole] }
            guard let regions else { return true }
            if regions == [.whole] { lastFull = frame.time }
            // Without the cascade every look is full; with it, between full looks plates are sought
            // only around what a glance glimpsed and faces only inside people. A still scene's
            // periodic look (parked cars, people standing) is a full one.
            let fullLook = people == nil || still || frame.time - lastFullLook >= options.fullLookEvery
            if fullLook { lastFullLook = frame.time; looks.fullLooks += 1 }
            analysed += 1
            // A plate moves at most ~3 of its widths a second across a view (the plate tracker's bound).
            let recent = !fullLook && frame.time - platesSeen.pts <= 1.5 * options.every ? platesSeen.boxes : []
            let gap = max(frame.time - platesSeen.pts, 0)
            let whereTheyMayBe = recent.map { b in
                let dx = Int(Double(b.w) * (0.5 + 3 * gap)), dy = b.h
                return PixelRect(x: b.x - dx, y: b.y - dy, w: b.w + 2 * dx, h: b.h + 2 * dy)
            }
            var seenNow: [PixelRect] = []
            for r in regions {
                let roi = PixelRect(x: Int(r.x * Double(frame.width)), y: Int(r.y * Double(frame.height)),
                                    w: Int((r.w * Double(frame.width)).rounded(.up)), h: Int((r.h * Double(frame.height)).rounded(.up)))
                    .clamped(width: frame.width, height: frame.height)
                guard roi.w >= 16, roi.h >= 16 else { continue }
                // Only the changed region is converted; crops and chips come from full resolution.
                let image = try frame.crop(roi, .rgb)
                let size = (frame.width, frame.height)
                let seenPeople = try people?.detect(image) ?? []
                looks.people += seenPeople.count
                objects += seenPeople.map { ObjectLook(pts: frame.time, kind: .person, box: $0.box.moved(roi.x, roi.y), score: $0.score) }
                if let plates {
                    let candidates = fullLook ? try plates.detect(image, frame: size)
                        : try plates.detectByGlance(image, frame: size, glance: options.plateGlance,
                                                    alsoIn: whereTheyMayBe.map { $0.moved(-roi.x, -roi.y) })
                    let seen = try readPlates(candidates, in: image, at: roi, time: frame.time, plates: plates, tracker: &tracker)
                    seenNow += seen.map(\.read.box)
                    looks.platesCarried += seen.count(where: \.carried)
                    looks.platesRead += seen.count { !$0.carried }
                    reads += seen
                }
                if let faces {
                    // A person's face lies in the box's top; the margin keeps a head the box cut.
                    let areas = fullLook ? [PixelRect(x: 0, y: 0, w: image.width, h: image.height)]
                        : mergedAreas(seenPeople.map { p in
                            PixelRect(x: p.box.x - p.box.w / 4, y: p.box.y - p.box.h / 10, w: p.box.w * 3 / 2, h: p.box.h * 6 / 10)
                                .clamped(width: image.width, height: image.height)
                        })
                    for area in areas where area.w >= 16 && area.h >= 16 {
                        let part = area.w == image.width && area.h == image.height ? image : image.cropped(area)
                        let seen = try lookForFaces(in: part, at: area.moved(roi.x, roi.y), frame: size, time: frame.time, faces: faces,
                                                    tracker: &faceTracker, source: path)
                        looks.facesCarried += seen.count(where: \.carried)
                        looks.facesDescribed += seen.count { !$0.carried }
                        found += seen.map(\.face)
                    }
                }
            }
            // Only the cascade looks again where plates were.
            if plates != nil, people != nil { platesSeen = (frame.time, seenNow) }
            return true
        }
        // A recorder still writing the file: what was hashed and read is not the file that will stay.
        guard Catalogue.fileState(path) == before else { throw StillWriting() }
        var result = FileResult(sha256: sha, stats: stats, framesAnalysed: analysed, sightings: Grouping.sightings(reads),
                                tracks: try Grouping.faceTracks(found), plateModel: plateModel,
                                faceModel: faces?.fingerprint ?? "", size: before?.size)
        result.looks = looks
        result.objects = objects
        result.objectModel = people?.model.fingerprint ?? ""
        return result
    }

    /// The plates found in one moving region, read (or carried by the tracker), boxes in frame coordinates.
    private func readPlates(_ candidates: [PlateDetection], in image: Image, at roi: PixelRect, time: Double, plates: PlateRecognizer,
                            tracker: inout PlateTracker) throws -> [TimedPlateRead] {
        var looks: [(PlateRead, Bool)] = []
        for d in candidates {
            let look = options.plateTracking
                ? try tracker.read(image, at: d, origin: (roi.x, roi.y), pts: time) { try plates.read(image, at: $0) }
                : try plates.read(image, at: d).map { ($0, false) }
            if let look { looks.append(look) }
        }
        return looks.map { read, carried in
            var read = read
            let crop = carried ? nil : try? image.cropped(read.box).jpegData()
            let b = read.box
            let cut = b.x <= 1 || b.y <= 1 || b.x + b.w >= image.width - 1 || b.y + b.h >= image.height - 1
            read.box = b.moved(roi.x, roi.y)
            return TimedPlateRead(pts: time, read: read, crop: crop, cut: cut, carried: carried)
        }
    }

    /// Faces in one part of a frame (a moving region, or a person in one) at `roi`, boxes and
    /// landmarks in frame coordinates; `carried` when the tracker answered for the descriptor.
    private func lookForFaces(in image: Image, at roi: PixelRect, frame: (width: Int, height: Int), time: Double, faces: FaceEngine,
                              tracker: inout FaceTracker, source: String) throws -> [(face: TimedFace, carried: Bool)] {
        // CenterFace sees the region at the scale it would see the whole frame at.
        let scale = min(1, Double(options.faceDetectorSize) / Double(max(frame.width, frame.height)))
        let maxSide = max(32, Int((Double(max(roi.w, roi.h)) * scale).rounded()))
        let faceOptions = FaceOptions(detector: options.faceDetector, upsample: options.faceUpsample, maxSide: maxSide)
        func inFrame(_ b: PixelRect) -> PixelRect { b.moved(roi.x, roi.y) }
        let tracking = options.faceTracking
        return try faces.faces(in: image, options: faceOptions, source: source) { face in
            tracking ? tracker.carry(face, box: inFrame(face.box), pts: time) : nil
        }.map { face, carried in
            var face = face
            face.box = inFrame(face.box)
            face.landmarks = face.landmarks.map { Point(x: $0.x + Double(roi.x), y: $0.y + Double(roi.y)) }
            if tracking && !carried { tracker.described(face, box: face.box, pts: time) }
            return (TimedFace(pts: time, face: face), carried)
        }
    }
}
