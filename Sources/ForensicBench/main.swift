// forensic-bench: measurements for `make bench` and `make eval`. Each subcommand prints plain
// lines that the scripts turn into tables; baselines run in the same script, as ratios.
import Foundation
import RecognitionKit

BLASCore.restartIfMisdetected()   // measure what `forensic` runs

/// The precision an evaluation runs at: forensic's default unless EVAL_PRECISION says otherwise.
let evalPrecision: InferencePrecision = {
    let asked = ProcessInfo.processInfo.environment["EVAL_PRECISION"]
    let precision = asked.flatMap(InferencePrecision.init(rawValue:)) ?? RecognitionDefaults.precision
    if asked != nil { print("precision \(precision.rawValue)") }
    return precision
}()
let args = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: forensic-bench decode FILE all|keyframes|fps=N [threads]
           forensic-bench plates-eval DIR [platedet|text ...] [ppocr|platerec|combined ...] [v6|v4 ...]
               env: EVAL_SIDE=PX detector input, EVAL_TILES=1 tile large pictures,
                    EVAL_THREADS=N inference threads, EVAL_MISSES=1 list every miss,
                    EVAL_PRECISION=f32|int8|bf16|auto (plates-eval, plates-real, faces-eval, faces-small)
           forensic-bench plates-real DIR [v6|v4] [--plates]   (real photos, labels.csv; the stage that lost each plate)
           forensic-bench plates-vote DIR [LOOKS]
           forensic-bench plates-glance DIR [GLANCE]
           forensic-bench plates-speed FILE1080P
           forensic-bench plates-levers FILE1080P
           forensic-bench faces-speed
           forensic-bench faces-eval
           forensic-bench faces-small [FRAMES_DIR]
           forensic-bench watchlist-scale [GALLERY] [PLATES]
           forensic-bench watchlist-recheck DIR TRACKS GALLERY [BASELINE_TRACKS]
           forensic-bench search DB READS FACES
           forensic-bench archive-search DIR DAYS READS_PER_DAY
           forensic-bench archive-add-day INDEX READS
           forensic-bench archive-scale DIR day READS FACES | DIR days DAYS READS_PER_DAY
    """
do {
    switch args.first {
    case "decode": try decodeBench(Array(args.dropFirst()))
    case "plates-eval": try plateEval(Array(args.dropFirst()))
    case "plates-vote": try plateVote(Array(args.dropFirst()))
    case "plates-real": try plateRealEval(Array(args.dropFirst()))
    case "plates-glance": try plateGlanceEval(Array(args.dropFirst()))
    case "plates-speed": try plateSpeed(Array(args.dropFirst()))
    case "plates-levers": try plateLevers(Array(args.dropFirst()))
    case "faces-speed": try faceSpeed()
    case "faces-eval": try faceEval()
    case "faces-small": try faceSmall(Array(args.dropFirst()))
    case "watchlist-scale": try watchlistScale(Array(args.dropFirst()))
    case "watchlist-recheck": try watchlistRecheck(Array(args.dropFirst()))
    case "search": try searchBench(Array(args.dropFirst()))
    case "archive-search": try archiveSearch(Array(args.dropFirst()))
    case "archive-add-day": try archiveAddDay(Array(args.dropFirst()))
    case "archive-scale": try archiveScale(Array(args.dropFirst()))
    default:
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("forensic-bench: \(error)\n".utf8))
    exit(1)
}
