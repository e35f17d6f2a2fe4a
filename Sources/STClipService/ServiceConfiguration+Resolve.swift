import STClipModels
import STClipPrompts

extension ServiceConfiguration {
    /// The defaults, then the config file (`flags.configFile`, else `STCLIP_CONFIG`), then the
    /// environment, then the flags; with no model named, the embedded default model (`DefaultModel`);
    /// validated. The language model endpoint comes from the environment alone (`STCLIP_LLM_*`, as
    /// `LLMConfiguration.fromEnvironment` reads them).
    public static func resolve(flags: ConfigurationSettings, configFile: String?,
                               environment: [String: String]) throws(ConfigurationError) -> ServiceConfiguration {
        var configuration = ServiceConfiguration()
        let file = configFile ?? environment["STCLIP_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let file { configuration = try ConfigurationSettings.load(file: file).applied(to: configuration) }
        configuration = try ConfigurationSettings(environment: environment).applied(to: configuration)
        configuration = flags.applied(to: configuration)
        if configuration.modelDirectory == nil { configuration.modelDirectory = DefaultModel.directory() }
        do throws(ExpansionFailure) {
            configuration.languageModel = try LLMConfiguration.fromEnvironment(environment)
        } catch {
            throw .invalidLanguageModel(detail: error.description)
        }
        try configuration.validate()
        return configuration
    }
}
