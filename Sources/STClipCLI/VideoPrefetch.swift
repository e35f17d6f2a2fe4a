import Dispatch
import Foundation
import STClipVideo

/// Samples one video on a background thread, so that the next video decodes while the model runs
/// on the current one.
final class VideoPrefetch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<SampledVideo, VideoError>?   // written once before `done` is signalled
    private var seconds = 0.0

    init(sampler: VideoSampler, path: String, options: SamplingOptions, preprocessing: PreprocessorConfig) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let started = DispatchTime.now().uptimeNanoseconds
            do throws(VideoError) { result = .success(try sampler.sample(.file(path: path), options: options, preprocessing: preprocessing)) } catch {
                result = .failure(error)
            }
            seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            done.signal()
        }
    }

    /// Blocks until the video is sampled; the result and the seconds the sampling took.
    func wait() -> (result: Result<SampledVideo, VideoError>, seconds: Double) {
        done.wait()
        return (result!, seconds)
    }
}
