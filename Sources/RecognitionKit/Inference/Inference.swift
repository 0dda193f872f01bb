@preconcurrency internal import COpenVINO
import Foundation

/// Numeric precision the CPU plugin computes in.
public enum InferencePrecision: String, Sendable, CaseIterable, Codable {
    /// OpenVINO's default: bf16 on CPUs with bf16 units (AMX/AVX512-BF16), else f32.
    case auto
    /// Exact f32: reproduces ONNX Runtime's numbers.
    case f32
    case bf16
    /// The int8 copy set-up made with NNCF (`models/int8/…`; f32 between its quantised layers) for
    /// the models that have one (PP-OCRv6 detector and reader, CenterFace); f32 for the others.
    case int8
}

/// A dense tensor handed to or returned by a model.
public struct Tensor: Sendable {
    public enum Storage: Sendable { case float([Float]), int64([Int64]), uint8([UInt8]) }
    public var shape: [Int]
    public var storage: Storage

    public init(shape: [Int], floats: [Float]) {
        precondition(shape.reduce(1, *) == floats.count, "tensor shape and data disagree")
        self.shape = shape
        storage = .float(floats)
    }

    public init(shape: [Int], int64s: [Int64]) {
        precondition(shape.reduce(1, *) == int64s.count, "tensor shape and data disagree")
        self.shape = shape
        storage = .int64(int64s)
    }

    /// Pixels as they are (a model that takes 0–255 bytes, such as a TensorFlow detector).
    public init(shape: [Int], bytes: [UInt8]) {
        precondition(shape.reduce(1, *) == bytes.count, "tensor shape and data disagree")
        self.shape = shape
        storage = .uint8(bytes)
    }

    public var floats: [Float] {
        switch storage {
        case .float(let f): return f
        case .int64(let i): return i.map(Float.init)
        case .uint8(let b): return b.map(Float.init)
        }
    }
}

/// The one choke point for OpenVINO status codes.
private func check(_ status: ov_status_e, _ what: String, file: String) throws {
    guard status != OK else { return }
    let detail = ov_get_last_err_msg().map { String(cString: $0) } ?? ""
    let name = ov_get_error_info(status).map { String(cString: $0) } ?? "\(status.rawValue)"
    // OpenVINO's messages run over several lines, the first naming its own source file: keep
    // the first line that says something about the model, so the error stays one line.
    let lines = detail.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let useful = lines.first { !$0.hasPrefix("Exception from") && !$0.hasPrefix("Check") } ?? lines.first ?? ""
    throw RecognitionError(.inference, file: file, reason: "\(what) failed: \(name)\(useful.isEmpty ? "" : ": " + useful)")
}

/// The process-wide OpenVINO core (plugins load once).
// Unchecked: an OpenVINO core may be called from any thread (ov_core_* is thread-safe).
private final class Core: @unchecked Sendable {
    let handle: OpaquePointer
    private init() throws {
        var core: OpaquePointer? = nil
        try check(ov_core_create(&core), "ov_core_create", file: "openvino")
        handle = core!
    }
    static let shared = Result { try Core() }
}

/// An ONNX model compiled for the CPU. Thread-safe to share; each thread runs its own `Request`.
// Unchecked: a C handle; OpenVINO's compiled models are thread-safe, requests are per thread.
public final class InferenceModel: @unchecked Sendable {
    public let path: String
    /// `name@sha256+precision`, stored with every result.
    public let fingerprint: String
    /// The precision OpenVINO actually uses (read back after compiling).
    public let precision: String
    public let inputCount: Int
    /// Input tensor names in input order (`run` takes inputs in this order).
    public let inputNames: [String]
    private let compiledModel: CompiledModel
    private var compiled: OpaquePointer { compiledModel.handle }
    private let inputTypes: [ov_element_type_e]

    /// - Parameter anyImageSize: re-declares the (single, NCHW) input as `[1, C, ?, ?]` for models
    ///   exported with a fixed picture size that work at any size (fully convolutional ones).
    /// - Throws: `RecognitionError` naming the file: missing (with the set-up command), corrupt, or unsupported.
    public init(path: String, name: String, precision: InferencePrecision = .auto, threads: Int? = nil,
                anyImageSize: Bool = false) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw RecognitionError(.modelMissing, file: path, reason: "model file missing (run `\(ModelStore.setupCommand)`)")
        }
        self.path = path
        let core = try Core.shared.get().handle
        var model: OpaquePointer? = nil
        do {
            try check(ov_core_read_model(core, path, nil, &model), "reading the model", file: path)
        } catch let e as RecognitionError {
            throw RecognitionError(.modelCorrupt, file: path, reason: e.reason + " (re-run `\(ModelStore.setupCommand)`)")
        }
        defer { ov_model_free(model) }
        if anyImageSize {
            var dims = [ov_dimension_t(min: 1, max: 1), ov_dimension_t(min: 3, max: 3),
                        ov_dimension_t(min: -1, max: -1), ov_dimension_t(min: -1, max: -1)]
            var shape = ov_partial_shape_t()
            try check(ov_partial_shape_create(4, &dims, &shape), "ov_partial_shape_create", file: path)
            defer { ov_partial_shape_free(&shape) }
            try check(ov_model_reshape_single_input(model, shape), "making the input size free", file: path)
        }
        var props: [(String, String)] = [("PERFORMANCE_HINT", "LATENCY")]
        // An int8 model keeps f32 between its quantised layers (the same numbers on every CPU).
        if precision != .auto { props.append(("INFERENCE_PRECISION_HINT", precision == .int8 ? "f32" : precision.rawValue)) }
        if let threads { props.append(("INFERENCE_NUM_THREADS", String(threads))) }
        // ov_property_t holds borrowed C strings: keep them alive across the call.
        let cStrings = props.map { (strdup($0.0)!, strdup($0.1)!) }
        defer { cStrings.forEach { free($0.0); free($0.1) } }
        var ovProps = cStrings.map { ov_property_t(key: $0.0, value: UnsafeRawPointer($0.1)) }
        var handle: OpaquePointer? = nil
        try check(ov_core_compile_model_props(core, model, "CPU", ovProps.count, &ovProps, &handle),
                  "compiling the model for CPU", file: path)
        // Owned at once, so a later throw in this init frees it exactly once (in its deinit).
        let owned = CompiledModel(handle: handle!)
        compiledModel = owned
        let compiled = owned.handle

        var count = 0
        try check(ov_compiled_model_inputs_size(compiled, &count), "reading inputs", file: path)
        inputCount = count
        var types: [ov_element_type_e] = []
        var names: [String] = []
        for i in 0..<count {
            var port: OpaquePointer? = nil
            try check(ov_compiled_model_input_by_index(compiled, i, &port), "reading input \(i)", file: path)
            defer { ov_output_const_port_free(port) }
            var t = F32
            try check(ov_port_get_element_type(port, &t), "reading input type", file: path)
            types.append(t)
            var name: UnsafeMutablePointer<CChar>? = nil
            if ov_port_get_any_name(port, &name) == OK, let name {
                names.append(String(cString: name))
                ov_free(name)
            } else {
                names.append("")
            }
        }
        inputTypes = types
        inputNames = names

        var value: UnsafeMutablePointer<CChar>? = nil
        if ov_compiled_model_get_property(compiled, "INFERENCE_PRECISION_HINT", &value) == OK, let value {
            self.precision = String(cString: value)
            ov_free(value)
        } else {
            self.precision = precision.rawValue
        }
        // An int8 file's last bits depend on the CPU that quantised it; its recipe does not (ModelStore.int8).
        let recipe = ModelStore.int8Recipe(of: path)
        // An IR model's weights are in the .bin beside its .xml.
        let files = recipe.map { [$0] } ?? (path.hasSuffix(".xml") ? [path, String(path.dropLast(4)) + ".bin"] : [path])
        fingerprint = try ModelStore.fingerprint(name: name, files: files, tag: recipe == nil ? self.precision : "int8")
    }

    /// Owns the compiled model handle: freed in one place, whether or not `InferenceModel.init` finished.
    private final class CompiledModel {
        let handle: OpaquePointer
        init(handle: OpaquePointer) { self.handle = handle }
        deinit { ov_compiled_model_free(handle) }
    }

    /// A request for one thread's use.
    public func makeRequest() throws -> Request {
        var request: OpaquePointer? = nil
        try check(ov_compiled_model_create_infer_request(compiled, &request), "creating an infer request", file: path)
        return Request(handle: request!, model: self)
    }

    /// One inference slot: not thread-safe, reuse it for every call on its thread.
    public final class Request {
        private let handle: OpaquePointer
        private let model: InferenceModel

        fileprivate init(handle: OpaquePointer, model: InferenceModel) {
            self.handle = handle
            self.model = model
        }

        deinit { ov_infer_request_free(handle) }

        /// Runs the model on `inputs` (in the model's input order) and returns every output as f32.
        public func run(_ inputs: [Tensor]) throws -> [Tensor] {
            guard inputs.count == model.inputCount else {
                throw RecognitionError(.invalidInput, file: model.path, reason: "model takes \(model.inputCount) inputs, got \(inputs.count)")
            }
            // Host buffers must outlive the infer call: OpenVINO reads them in place.
            var buffers: [UnsafeMutableRawPointer] = []
            var tensors: [OpaquePointer?] = []
            defer {
                tensors.forEach { ov_tensor_free($0) }
                buffers.forEach { $0.deallocate() }
            }
            for (i, input) in inputs.enumerated() {
                let type = model.inputTypes[i]
                let count = input.shape.reduce(1, *)
                let buffer: UnsafeMutableRawPointer
                switch (type, input.storage) {
                case (F16, .float(let f)):
                    let p = UnsafeMutablePointer<Float16>.allocate(capacity: count)
                    for k in 0..<count { p[k] = Float16(f[k]) }
                    buffer = UnsafeMutableRawPointer(p)
                case (F32, .float(let f)):
                    let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
                    p.initialize(from: f, count: count)
                    buffer = UnsafeMutableRawPointer(p)
                case (I64, .int64(let v)):
                    let p = UnsafeMutablePointer<Int64>.allocate(capacity: count)
                    p.initialize(from: v, count: count)
                    buffer = UnsafeMutableRawPointer(p)
                case (U8, .uint8(let b)):
                    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
                    p.initialize(from: b, count: count)
                    buffer = UnsafeMutableRawPointer(p)
                case (I64, .float(let f)):
                    let p = UnsafeMutablePointer<Int64>.allocate(capacity: count)
                    for k in 0..<count { p[k] = Int64(f[k]) }
                    buffer = UnsafeMutableRawPointer(p)
                default:
                    throw RecognitionError(.invalidInput, file: model.path, reason: "input \(i) has unsupported element type \(type.rawValue)")
                }
                buffers.append(buffer)
                var dims = input.shape.map { Int64($0) }
                var shape = ov_shape_t()
                try check(ov_shape_create(Int64(dims.count), &dims, &shape), "ov_shape_create", file: model.path)
                defer { ov_shape_free(&shape) }
                var tensor: OpaquePointer? = nil
                try check(ov_tensor_create_from_host_ptr(type, shape, buffer, &tensor), "creating input tensor", file: model.path)
                tensors.append(tensor)
                try check(ov_infer_request_set_input_tensor_by_index(handle, i, tensor), "setting input \(i)", file: model.path)
            }
            try check(ov_infer_request_infer(handle), "inference", file: model.path)

            var outputCount = 0
            try check(ov_compiled_model_outputs_size(model.compiled, &outputCount), "reading outputs", file: model.path)
            var outputs: [Tensor] = []
            for i in 0..<outputCount {
                var tensor: OpaquePointer? = nil
                try check(ov_infer_request_get_output_tensor_by_index(handle, i, &tensor), "reading output \(i)", file: model.path)
                defer { ov_tensor_free(tensor) }
                var shape = ov_shape_t()
                try check(ov_tensor_get_shape(tensor, &shape), "reading output shape", file: model.path)
                let dims = (0..<Int(shape.rank)).map { Int(shape.dims[$0]) }
                ov_shape_free(&shape)
                var type = F32
                try check(ov_tensor_get_element_type(tensor, &type), "reading output type", file: model.path)
                var data: UnsafeMutableRawPointer? = nil
                try check(ov_tensor_data(tensor, &data), "reading output data", file: model.path)
                let count = dims.reduce(1, *)
                switch type {
                case F32:
                    outputs.append(Tensor(shape: dims, floats: Array(UnsafeBufferPointer(start: data!.assumingMemoryBound(to: Float.self), count: count))))
                case F16:
                    let p = data!.assumingMemoryBound(to: Float16.self)
                    outputs.append(Tensor(shape: dims, floats: (0..<count).map { Float(p[$0]) }))
                case I64:
                    outputs.append(Tensor(shape: dims, int64s: Array(UnsafeBufferPointer(start: data!.assumingMemoryBound(to: Int64.self), count: count))))
                default:
                    throw RecognitionError(.inference, file: model.path, reason: "output \(i) has unsupported element type \(type.rawValue)")
                }
            }
            return outputs
        }
    }
}
