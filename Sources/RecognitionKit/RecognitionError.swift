/// A recognition failure that names what it was working on.
public struct RecognitionError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case modelMissing = "model_missing"
        case modelCorrupt = "model_corrupt"
        case noFace = "no_face"
        case severalFaces = "several_faces"
        case inference
        case invalidInput = "invalid_input"
    }

    public let kind: Kind
    /// The file (model, photo or video) concerned.
    public let file: String
    public let reason: String

    public init(_ kind: Kind, file: String, reason: String) {
        self.kind = kind
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
