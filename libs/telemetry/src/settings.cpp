#include "fabtrace/telemetry/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "opentelemetry/semconv/service_attributes.h"

namespace fabtrace::telemetry {

namespace semconv = opentelemetry::semconv;
namespace {

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// W3C baggage-style percent decoding, as OTEL_RESOURCE_ATTRIBUTES uses it.
std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    unsigned value = 0;
    const auto* begin = text.data() + i + 1;
    auto [ptr, ec] = std::from_chars(begin, begin + 2, value, 16);
    if (ec != std::errc() || ptr != begin + 2) return std::nullopt;
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

template <typename Number>
std::optional<Number> ParseNumber(const std::string& text) {
  Number value{};
  const auto trimmed = Trim(text);
  auto [ptr, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (ec != std::errc() || ptr != trimmed.data() + trimmed.size()) return std::nullopt;
  return value;
}

class Reader {
 public:
  Reader(const EnvLookup& env, Settings& settings) : env_(env), settings_(settings) {}

  std::optional<std::string> Get(const std::string& name) const {
    auto value = env_(name);
    if (!value) return std::nullopt;
    auto trimmed = Trim(*value);
    if (trimmed.empty()) return std::nullopt;
    return trimmed;
  }

  template <typename Number>
  void ReadPositive(const std::string& name, Number& target) {
    auto text = Get(name);
    if (!text) return;
    auto value = ParseNumber<Number>(*text);
    if (!value || *value <= 0) {
      Warn(name, *text);
      return;
    }
    target = *value;
  }

  // One of a fixed set of names (any case) to its value; anything else is a warning and
  // leaves the default.
  template <typename Choice>
  void ReadChoice(const std::string& name,
                  std::initializer_list<std::pair<std::string_view, Choice>> choices,
                  Choice& target) {
    auto text = Get(name);
    if (!text) return;
    const auto value = Lower(*text);
    for (const auto& [choice_name, choice] : choices) {
      if (value == choice_name) {
        target = choice;
        return;
      }
    }
    Warn(name, *text);
  }

  void ReadMillis(const std::string& name, std::chrono::milliseconds& target) {
    long long value = target.count();
    ReadPositive(name, value);
    target = std::chrono::milliseconds(value);
  }

  void Warn(const std::string& name, const std::string& value) {
    settings_.warnings.push_back(name + "=" + value + " is invalid; using the default");
  }

 private:
  const EnvLookup& env_;
  Settings& settings_;
};

// A comma-separated list of key=value pairs with percent-encoded values (the W3C baggage
// form of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS). A malformed item is
// skipped with a warning that names it, or only its key when the values are secret.
void ReadPairs(Reader& reader, const std::string& name, std::string_view list,
               std::map<std::string, std::string>& target, bool secret_values) {
  std::string_view rest = list;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto equals = item.find('=');
    auto key = Trim(item.substr(0, equals));
    auto value = equals == std::string_view::npos ? std::nullopt
                                                  : PercentDecode(Trim(item.substr(equals + 1)));
    if (equals == std::string_view::npos || key.empty() || !value) {
      reader.Warn(name + " item", secret_values ? key + "=(hidden)" : std::string(item));
      continue;
    }
    target[key] = *value;
  }
}

void ReadResource(Reader& reader, Settings& settings, const std::string& default_service_name,
                  const std::string& default_version) {
  if (auto attributes = reader.Get("OTEL_RESOURCE_ATTRIBUTES")) {
    ReadPairs(reader, "OTEL_RESOURCE_ATTRIBUTES", *attributes, settings.resource, false);
  }
  if (auto name = reader.Get("OTEL_SERVICE_NAME"))
    settings.resource[semconv::service::kServiceName] = *name;
  settings.resource.try_emplace(semconv::service::kServiceName, default_service_name);
  settings.resource.try_emplace(semconv::service::kServiceVersion, default_version);
}

void ReadExporter(Reader& reader, Settings& settings) {
  if (auto exporter = reader.Get("OTEL_TRACES_EXPORTER")) {
    const auto value = Lower(*exporter);
    if (value == "none") {
      settings.exporter = ExporterKind::kNone;
    } else if (value != "otlp") {
      reader.Warn("OTEL_TRACES_EXPORTER", *exporter);
    }
  }
  auto protocol = reader.Get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
  if (!protocol) protocol = reader.Get("OTEL_EXPORTER_OTLP_PROTOCOL");
  if (protocol) {
    if (*protocol == "grpc") {
      settings.protocol = ExportProtocol::kGrpc;
    } else if (*protocol == "http/json") {
      settings.protocol = ExportProtocol::kHttpJson;
    } else if (*protocol != "http/protobuf") {
      reader.Warn("OTEL_EXPORTER_OTLP_PROTOCOL", *protocol);
    }
  }
  reader.ReadChoice<ExportPath>("FABTRACE_SPAN_EXPORT",
                                {{"compact", ExportPath::kCompact},
                                 {"sync", ExportPath::kSync},
                                 {"stock", ExportPath::kStock}},
                                settings.export_path);
  if (settings.export_path == ExportPath::kStock) settings.tracer = TracerKind::kSdk;
  reader.ReadChoice<TracerKind>("FABTRACE_TRACER",
                                {{"direct", TracerKind::kDirect}, {"sdk", TracerKind::kSdk}},
                                settings.tracer);
  const bool grpc = settings.protocol == ExportProtocol::kGrpc;
  if (auto endpoint = reader.Get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
    settings.endpoint = *endpoint;  // signal-specific: used as given
  } else if (auto base = reader.Get("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    std::string url = *base;
    if (!grpc) {
      if (!url.empty() && url.back() == '/') url.pop_back();
      url += "/v1/traces";
    }
    settings.endpoint = url;
  } else {
    settings.endpoint = grpc ? "http://localhost:4317" : "http://localhost:4318/v1/traces";
  }
  // The signal-specific variable wins over the general one, for each setting.
  const auto traces_or_general = [&reader](const std::string& suffix) {
    auto value = reader.Get("OTEL_EXPORTER_OTLP_TRACES_" + suffix);
    return value ? std::pair{"OTEL_EXPORTER_OTLP_TRACES_" + suffix, value}
                 : std::pair{"OTEL_EXPORTER_OTLP_" + suffix,
                             reader.Get("OTEL_EXPORTER_OTLP_" + suffix)};
  };
  if (auto [name, headers] = traces_or_general("HEADERS"); headers) {
    ReadPairs(reader, name, *headers, settings.headers, true);
  }
  settings.tls.ca_file = traces_or_general("CERTIFICATE").second.value_or("");
  settings.tls.client_key_file = traces_or_general("CLIENT_KEY").second.value_or("");
  settings.tls.client_certificate_file =
      traces_or_general("CLIENT_CERTIFICATE").second.value_or("");
  auto timeout = reader.Get("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")
                     ? "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"
                     : "OTEL_EXPORTER_OTLP_TIMEOUT";
  reader.ReadMillis(timeout, settings.export_timeout);
}

void ReadSampler(Reader& reader, Settings& settings) {
  static const std::vector<std::string> kKnown = {"always_on",
                                                  "always_off",
                                                  "traceidratio",
                                                  "parentbased_always_on",
                                                  "parentbased_always_off",
                                                  "parentbased_traceidratio"};
  if (auto name = reader.Get("OTEL_TRACES_SAMPLER")) {
    const auto value = Lower(*name);
    if (std::find(kKnown.begin(), kKnown.end(), value) != kKnown.end()) {
      settings.sampler.name = value;
    } else {
      reader.Warn("OTEL_TRACES_SAMPLER", *name);
    }
  }
  if (auto argument = reader.Get("OTEL_TRACES_SAMPLER_ARG")) {
    auto ratio = ParseNumber<double>(*argument);
    if (ratio && *ratio >= 0.0 && *ratio <= 1.0) {
      settings.sampler.ratio = *ratio;
    } else {
      reader.Warn("OTEL_TRACES_SAMPLER_ARG", *argument);
    }
  }
}

void ReadBatch(Reader& reader, Settings& settings) {
  auto& batch = settings.batch;
  reader.ReadPositive("OTEL_BSP_MAX_QUEUE_SIZE", batch.max_queue_size);
  reader.ReadPositive("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", batch.max_export_batch_size);
  reader.ReadMillis("OTEL_BSP_SCHEDULE_DELAY", batch.schedule_delay);
  if (batch.max_export_batch_size > batch.max_queue_size) {
    reader.Warn("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", std::to_string(batch.max_export_batch_size));
    batch.max_export_batch_size = batch.max_queue_size;
  }
}

void ReadPropagators(Reader& reader, Settings& settings) {
  auto list = reader.Get("OTEL_PROPAGATORS");
  if (!list) return;
  std::vector<std::string> chosen;
  std::string_view rest = *list;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto name = Lower(Trim(rest.substr(0, comma)));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (name == "tracecontext" || name == "baggage" || name == "none") {
      if (name != "none") chosen.push_back(name);
    } else if (!name.empty()) {
      reader.Warn("OTEL_PROPAGATORS item", name);
    }
  }
  settings.propagators = chosen;
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Settings SettingsFromEnvironment(const std::string& default_service_name,
                                 const std::string& default_version, const EnvLookup& env) {
  Settings settings;
  Reader reader(env, settings);
  if (auto disabled = reader.Get("OTEL_SDK_DISABLED")) {
    const auto value = Lower(*disabled);
    if (value == "true") {
      settings.disabled = true;
    } else if (value != "false") {
      reader.Warn("OTEL_SDK_DISABLED", *disabled);
    }
  }
  ReadResource(reader, settings, default_service_name, default_version);
  ReadExporter(reader, settings);
  ReadSampler(reader, settings);
  ReadBatch(reader, settings);
  ReadPropagators(reader, settings);
  return settings;
}

}  // namespace fabtrace::telemetry
