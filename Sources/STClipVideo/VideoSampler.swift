import CFFmpeg
import Dispatch
import Foundation
import STClipRuntime

/// Samples frames from a video and preprocesses them for a CLIP-family model.
///
/// One request: open the input (memory or file) under `limits`, pick the video stream, scan its
/// packets into a timeline, choose times by TSN segment sampling, decode each needed frame once
/// (continuing or seeking by cost), turn it upright, convert to RGB, then resize and crop per the
/// preprocessor configuration. A value of this type holds no state between requests and may be
/// used from several threads at once; each request runs on the calling thread and, with
/// `decoderThreads` above 1, on the decoder's threads and one preprocessing thread beside it.
public struct VideoSampler: Sendable {
    public var limits: VideoLimits
    /// Threads one request keeps busy. Above 1, conversion and preprocessing run beside the
    /// decoder (`FramePipeline`), and pictures of `threadedDecodingPixels` and more decode on this
    /// many frame (HEVC: slice) threads. Several requests running at once each use this many, so
    /// keep requests × threads near the core count (1 or 2 on a 2-core server).
    public var decoderThreads: Int

    /// Pictures below this many pixels (200,000) decode on one thread whatever `decoderThreads` is.
    public static var threadedDecodingPixels: Int { CodecContext.smallPicturePixels }

    public init(limits: VideoLimits = .default, decoderThreads: Int = 2) {
        self.limits = limits
        self.decoderThreads = decoderThreads
    }

    /// Samples `source` and preprocesses the frames into `(V, T, 3, H, W)` float32.
    public func sample(_ source: VideoSource, options: SamplingOptions,
                       preprocessing config: PreprocessorConfig = .clip) throws(VideoError) -> SampledVideo {
        let preprocessor = try FramePreprocessor(config: config, crops: options.views.crops)
        let (clips, crops, frames) = (options.views.clips, options.views.crops, options.frames)
        var pixels: Tensor? = nil
        var geometry: FramePreprocessor.Geometry? = nil
        var slots: [Int: [(clip: Int, t: Int)]] = [:]
        var multiScale: [MultiScaleCrop] = []
        let run = try decode(source, options: options) { (picks: [[Int]], crops: [MultiScaleCrop]) in
            for c in 0..<clips { for t in 0..<frames { slots[picks[c][t], default: []].append((c, t)) } }
            multiScale = crops
        } consume: { (shown: Int, image: RGBImage) throws(VideoError) in
            let g = multiScale.isEmpty ? try preprocessor.geometry(width: image.width, height: image.height)
                                       : try preprocessor.trainGeometry(width: image.width, height: image.height)
            if geometry == nil {
                geometry = g
                pixels = Tensor(uninitialized: [clips * crops, frames, 3, g.outHeight, g.outWidth])
            }
            guard g == geometry, let pixels else { throw .corrupt(detail: "the frame size changes within the video") }
            let window = preprocessor.resized(image, g)
            let perFrame = 3 * g.outHeight * g.outWidth
            for (c, t) in slots[shown] ?? [] {
                if !multiScale.isEmpty {
                    preprocessor.write(multiScale: multiScale[c], of: window, g, to: pixels.data + (c * frames + t) * perFrame)
                    continue
                }
                for s in 0..<crops {
                    preprocessor.write(crop: s, of: window, g, to: pixels.data + ((c * crops + s) * frames + t) * perFrame)
                }
            }
        }
        guard let pixels else { throw .corrupt(detail: "no frame decoded") }
        var views: [SampledView] = []
        for c in 0..<clips {
            for s in 0..<crops {
                views.append(SampledView(clip: c, crop: s, timestamps: run.timestamps[c], presentationTimes: run.presentationTimes[c]))
            }
        }
        return SampledVideo(pixels: pixels, views: views, video: run.video, timing: run.timing)
    }

    /// Samples `source` and returns the chosen frames as RGB, without preprocessing (the views'
    /// spatial crops do not apply).
    public func frames(_ source: VideoSource, options: SamplingOptions) throws(VideoError) -> SampledFrames {
        var images: [Int: RGBImage] = [:]
        var picks: [[Int]] = []
        let run = try decode(source, options: options) { chosen, _ in picks = chosen } consume: { (shown: Int, image: RGBImage) throws(VideoError) in
            images[shown] = image
        }
        return SampledFrames(frames: picks.map { $0.map { images[$0]! } }, timestamps: run.timestamps,
                             presentationTimes: run.presentationTimes, video: run.video, timing: run.timing)
    }

    /// `CLOCK_PROCESS_CPUTIME_ID`: CPU time of every thread of this process.
    private static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private struct Run {
        var timestamps: [[Double]]
        var presentationTimes: [[Double]]
        var video: VideoInfo
        var timing: SamplingTiming
    }

    /// The shared pipeline: `plan` receives the picked shown-frame indices `[clip][segment]` and, in
    /// train mode, each clip's multi-scale crop, before decoding starts; `consume` receives each
    /// distinct picked frame once, upright RGB.
    private func decode(_ source: VideoSource, options: SamplingOptions, plan: ([[Int]], [MultiScaleCrop]) -> Void,
                        consume: (Int, RGBImage) throws(VideoError) -> Void) throws(VideoError) -> Run {
        guard options.frames >= 1, options.frames <= 1024 else { throw .invalidRequest(detail: "\(options.frames) frames per clip (1 to 1024)") }
        guard options.views.clips >= 1, options.views.clips <= 32 else { throw .invalidRequest(detail: "\(options.views.clips) clips (1 to 32)") }
        guard options.frames * options.views.count <= 1024 else {
            throw .invalidRequest(detail: "\(options.frames) frames × \(options.views.count) views (at most 1024 frames in all)")
        }
        guard options.views.crops == 1 || options.views.crops == 3 else {
            throw .invalidRequest(detail: "\(options.views.crops) spatial crops (1 or 3 are supported)")
        }
        if case .train = options.mode, options.views.crops != 1 {
            throw .invalidRequest(detail: "train mode takes one multi-scale crop per clip, not \(options.views.crops) spatial crops")
        }
        var timing = SamplingTiming()
        let cpuAtStart = Self.processCPUSeconds()
        var clock = DispatchTime.now().uptimeNanoseconds
        func lap() -> Double {
            let now = DispatchTime.now().uptimeNanoseconds
            defer { clock = now }
            return Double(now - clock) / 1e9
        }

        let deadline = Deadline(seconds: limits.decodeTimeBudget)
        let reader = try VideoReader(source: source, limits: limits, deadline: deadline)
        timing.openSeconds = lap()
        let scan = try reader.scan()
        timing.scanSeconds = lap()
        let timeline = scan.timeline

        let (timestamps, crops) = SegmentSampler.draw(start: timeline.start, duration: timeline.duration, frames: options.frames,
                                                      clips: options.views.clips, mode: options.mode)
        let picks = timestamps.map { $0.map(timeline.frame(at:)) }
        plan(picks, crops)

        let decoder = try FrameDecoder(reader: reader, scan: scan, threads: decoderThreads)
        let converter = ScaleContext()
        var delivered: [Int: Double] = [:]  // shown index → presentation seconds of the frame given for it
        var size = (width: 0, height: 0)
        let maxPixels = limits.maxPixels
        // With a second thread to use, conversion and preprocessing run beside the decoder.
        let decodedAt = try FramePipeline.run(limit: 4, sideBySide: decoderThreads > 1) {
            (hand: (Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) in
            try decoder.decode(Set(picks.joined())) { (shown: Int, frame: UnsafeMutablePointer<AVFrame>) throws(VideoError) in
                let f = frame.pointee
                guard f.width > 0, f.height > 0 else { throw .corrupt(detail: "a decoded frame has no size") }
                guard Int(f.width) * Int(f.height) <= maxPixels else {
                    throw .tooLarge(detail: "\(f.width)×\(f.height) pixels per frame (limit \(maxPixels))")
                }
                try hand(shown, frame)
            }
        } process: { (shown: Int, frame: UnsafeMutablePointer<AVFrame>) throws(VideoError) in
            let f = frame.pointee
            let rgb = RGBImage(width: Int(f.width), height: Int(f.height))
            try converter.convert(frame, into: rgb)
            let upright = rgb.rotated(clockwise: reader.rotation)
            let key = f.pts != stclip_nopts() ? f.pts : f.best_effort_timestamp
            delivered[shown] = key != stclip_nopts() ? Double(key) * timeline.secondsPerTick : timeline.time(shown)
            size = (upright.width, upright.height)
            try consume(shown, upright)
        }
        timing.decodeSeconds = Double(decodedAt - min(decodedAt, clock)) / 1e9
        timing.preprocessSeconds = lap() - timing.decodeSeconds
        timing.packetsDecoded = decoder.packetsSent
        timing.packetsDropped = decoder.packetsDropped
        timing.framesDecoded = decoder.framesReceived
        timing.seeks = decoder.seeks
        timing.decodeErrors = decoder.decodeErrors
        timing.processCPUSeconds = Self.processCPUSeconds() - cpuAtStart

        let video = VideoInfo(container: reader.containerName, codec: reader.codecName, width: size.width, height: size.height,
                              rotation: reader.rotation, frameCount: timeline.shown.count, startTime: timeline.start,
                              duration: timeline.duration)
        return Run(timestamps: timestamps, presentationTimes: picks.map { $0.map { delivered[$0] ?? timeline.time($0) } }, video: video, timing: timing)
    }
}
