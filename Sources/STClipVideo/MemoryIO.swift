import CFFmpeg
import Foundation

/// An `AVIOContext` reading from bytes in memory, with read and seek callbacks (including
/// `AVSEEK_SIZE`). Owns the context and its buffer: avformat may replace the buffer it was given,
/// so teardown frees whatever `ctx.buffer` points at then, and then the context.
final class MemoryIO {
    let context: UnsafeMutablePointer<AVIOContext>
    private let bytes: Data
    private var position = 0
    private let deadline: Deadline

    /// Bytes per read callback; avformat's own default.
    private static let bufferSize: Int32 = 32_768

    init(bytes: Data, deadline: Deadline) throws(VideoError) {
        self.bytes = bytes
        self.deadline = deadline
        guard let buffer = av_malloc(Int(Self.bufferSize))?.assumingMemoryBound(to: UInt8.self) else {
            throw .ffmpeg(function: "av_malloc", code: AVErrorCode.noMemory, message: averrorText(AVErrorCode.noMemory))
        }
        guard let ctx = avio_alloc_context(buffer, Self.bufferSize, 0, nil, memoryRead, nil, memorySeek) else {
            av_free(buffer)
            throw .ffmpeg(function: "avio_alloc_context", code: AVErrorCode.noMemory, message: averrorText(AVErrorCode.noMemory))
        }
        context = ctx
        // An unretained pointer back to this object: `deinit` frees the context, so the callbacks
        // never outlive it.
        ctx.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        av_freep(&context.pointee.buffer)
        var ctx: UnsafeMutablePointer<AVIOContext>? = context
        avio_context_free(&ctx)
    }

    fileprivate func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int32) -> Int32 {
        if deadline.isPast { return AVErrorCode.exit }
        let n = min(Int(count), bytes.count - position)
        guard n > 0 else { return AVErrorCode.eof }
        bytes.withUnsafeBytes { raw in
            buffer.update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + position, count: n)
        }
        position += n
        return Int32(n)
    }

    fileprivate func seek(offset: Int64, whence: Int32) -> Int64 {
        if whence & AVSEEK_SIZE != 0 { return Int64(bytes.count) }
        let base: Int64
        switch whence & ~AVSEEK_FORCE {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = Int64(position)
        case SEEK_END: base = Int64(bytes.count)
        default: return Int64(AVErrorCode.invalidData)
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0, target <= Int64(bytes.count) else { return Int64(stclip_averror(EINVAL)) }
        position = Int(target)
        return target
    }
}

private func memoryRead(_ opaque: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ count: Int32) -> Int32 {
    guard let opaque, let buffer else { return stclip_averror(EINVAL) }
    return Unmanaged<MemoryIO>.fromOpaque(opaque).takeUnretainedValue().read(into: buffer, count: count)
}

private func memorySeek(_ opaque: UnsafeMutableRawPointer?, _ offset: Int64, _ whence: Int32) -> Int64 {
    guard let opaque else { return Int64(stclip_averror(EINVAL)) }
    return Unmanaged<MemoryIO>.fromOpaque(opaque).takeUnretainedValue().seek(offset: offset, whence: whence)
}
