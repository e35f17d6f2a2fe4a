import STClipRuntime

extension PreprocessorConfig {
    /// Preprocesses one upright RGB frame as the sampler does: float32 `(crops, 3, H, W)`, with
    /// `crops` 1 (the centre crop) or 3 (start, centre and end of the longer side).
    public func preprocess(_ image: RGBImage, crops: Int = 1) throws(VideoError) -> Tensor {
        let preprocessor = try FramePreprocessor(config: self, crops: crops)
        let g = try preprocessor.geometry(width: image.width, height: image.height)
        let window = preprocessor.resized(image, g)
        let out = Tensor(uninitialized: [crops, 3, g.outHeight, g.outWidth])
        for s in 0..<crops { preprocessor.write(crop: s, of: window, g, to: out.data + s * 3 * g.outHeight * g.outWidth) }
        return out
    }
}
