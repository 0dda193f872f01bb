import Foundation
import RecognitionKit
import TestSupport

/// Models, samples and the shared face engine (from TestSupport).
enum Fixtures {
    static let root = Repo.root
    static func sample(_ rel: String) -> String { Repo.sample(rel) }
    static let models = ModelStore(directory: Repo.models)
    static let dlibExamples = Repo.dlibExamples

    static func tempDir() throws -> URL { try TempFolder.make() }
    static func ffmpeg(_ args: [String]) throws { try TestSupport.ffmpeg(args) }

    /// Runs `body` with the shared face engine, one test at a time (dlib is not thread-safe).
    static func withFaces<T>(_ body: (FaceEngine) throws -> T) rethrows -> T { try SharedFaces.with(body) }
}
