import VideoDecode

/// A point in source pixels.
public struct Point: Sendable, Codable, Equatable {
    public var x: Double, y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// One detected face with everything search and watchlists need.
public struct Face: Sendable {
    public var box: PixelRect
    /// Detector confidence: HOG's SVM margin (≥ 0 at the default threshold) or MMOD's CNN score.
    public var score: Double
    /// dlib's 5 points: right eye outer/inner corner, left eye outer/inner corner, nose base.
    public var landmarks: [Point]
    public var quality: FaceQuality
    /// 128-D descriptor; Euclidean distance < 0.6 means the same person at the model's operating point.
    public var embedding: [Float]
    /// Aligned 150×150 RGB chip from the full-resolution pixels.
    public var chip: Image
}

/// How usable a face is for recognition. Junk is kept but marked, so search can prefer good shots.
public struct FaceQuality: Sendable, Codable, Equatable {
    /// Distance between the eye centres, in source pixels.
    public var interEyePixels: Double
    /// Variance of the Laplacian on the gray chip (higher is sharper).
    public var sharpness: Double
    /// 1 for a frontal face, falling towards 0 as the nose moves off the eye midline (yaw).
    public var frontal: Double
    /// A single 0–1 figure combining the above, for ranking shots of one person.
    public var score: Double
    /// Tiny, blurred or turned away: recognition is unreliable.
    public var isJunk: Bool

    enum CodingKeys: String, CodingKey {
        case sharpness, frontal, score
        case interEyePixels = "inter_eye_px", isJunk = "junk"
    }

    /// Thresholds: 20 px between eyes (a ~60 px face), sharpness 15, frontal 0.4. Chosen from
    /// the face_recognition literature's minimum usable face size and checked on dlib's examples.
    public static func assess(landmarks: [Point], chip: Image) -> FaceQuality {
        guard landmarks.count == 5 else {
            return FaceQuality(interEyePixels: 0, sharpness: 0, frontal: 0, score: 0, isJunk: true)
        }
        let right = Point(x: (landmarks[0].x + landmarks[1].x) / 2, y: (landmarks[0].y + landmarks[1].y) / 2)
        let left = Point(x: (landmarks[2].x + landmarks[3].x) / 2, y: (landmarks[2].y + landmarks[3].y) / 2)
        let eyes = ((left.x - right.x) * (left.x - right.x) + (left.y - right.y) * (left.y - right.y)).squareRoot()
        // Yaw proxy: how far the nose sits from the eye midpoint, along the eye line, in eye distances.
        let mid = Point(x: (left.x + right.x) / 2, y: (left.y + right.y) / 2)
        let ux = (left.x - right.x) / max(eyes, 1e-6), uy = (left.y - right.y) / max(eyes, 1e-6)
        let offset = abs((landmarks[4].x - mid.x) * ux + (landmarks[4].y - mid.y) * uy) / max(eyes, 1e-6)
        let frontal = max(0, 1 - offset * 2.5)
        let sharpness = laplacianVariance(chip)
        let sizeScore = min(1, eyes / 60)
        let sharpScore = min(1, sharpness / 150)
        let score = sizeScore * 0.4 + sharpScore * 0.3 + frontal * 0.3
        return FaceQuality(interEyePixels: eyes, sharpness: sharpness, frontal: frontal, score: score,
                           isJunk: eyes < 20 || sharpness < 15 || frontal < 0.4)
    }

    static func laplacianVariance(_ image: Image) -> Double {
        let w = image.width, h = image.height, bpp = image.format.bytesPerPixel
        guard w > 2, h > 2 else { return 0 }
        func gray(_ x: Int, _ y: Int) -> Double {
            let i = (y * w + x) * bpp
            return bpp == 1 ? Double(image.pixels[i])
                : 0.299 * Double(image.pixels[i]) + 0.587 * Double(image.pixels[i + 1]) + 0.114 * Double(image.pixels[i + 2])
        }
        var sum = 0.0, sumSq = 0.0, n = 0.0
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                let l = gray(x - 1, y) + gray(x + 1, y) + gray(x, y - 1) + gray(x, y + 1) - 4 * gray(x, y)
                sum += l; sumSq += l * l; n += 1
            }
        }
        let mean = sum / n
        return sumSq / n - mean * mean
    }
}
