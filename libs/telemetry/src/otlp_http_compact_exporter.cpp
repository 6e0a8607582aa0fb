#include "otlp_http_compact_exporter.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "compact_recordable.h"
#include "fabtrace/telemetry/version.h"

namespace sdk = opentelemetry::sdk;
namespace sdktrace = opentelemetry::sdk::trace;
using Clock = std::chrono::steady_clock;

namespace fabtrace::telemetry {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

// The Collector's answer is read and dropped (a partial success is counted by it).
std::size_t Discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

// Retry-After in seconds (the form OTLP servers send), if any.
std::size_t ReadRetryAfter(char* data, std::size_t size, std::size_t count, void* target) {
  const std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kName) {
      const auto seconds = std::strtol(std::string(line.substr(kName.size())).c_str(), nullptr, 10);
      if (seconds > 0) *static_cast<long*>(target) = seconds;
    }
  }
  return size * count;
}

class CompactOtlpHttpExporter final : public sdktrace::SpanExporter {
 public:
  CompactOtlpHttpExporter(const Settings& settings, std::shared_ptr<ExportStats> stats)
      : endpoint_(settings.endpoint),
        timeout_(settings.export_timeout),
        tls_(settings.tls),
        stats_(std::move(stats)),
        pool_(settings.batch.max_queue_size + settings.batch.max_export_batch_size) {
    static CurlGlobal global;
    curl_ = curl_easy_init();
    headers_ = curl_slist_append(headers_, "Content-Type: application/x-protobuf");
    headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip
    for (const auto& [name, value] : settings.headers) {
      headers_ = curl_slist_append(headers_, (name + ": " + value).c_str());
    }
  }

  ~CompactOtlpHttpExporter() override {
    curl_slist_free_all(headers_);
    if (curl_) curl_easy_cleanup(curl_);
  }

  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override { return pool_.Take(); }

  sdk::common::ExportResult Export(
      const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept
      override {
    if (shutdown_ || !curl_) return sdk::common::ExportResult::kFailure;
    if (spans.empty()) return sdk::common::ExportResult::kSuccess;
    std::lock_guard lock(mutex_);
    try {
      body_size_ = detail::EncodeExportRequestAt(spans, body_, 0);
    } catch (...) {
      return sdk::common::ExportResult::kFailure;
    }
    pool_.GiveBack(spans);  // encoded: the recordables serve new spans
    return Send(spans.size());
  }

  bool ForceFlush(std::chrono::microseconds) noexcept override { return true; }  // synchronous

  bool Shutdown(std::chrono::microseconds) noexcept override {
    shutdown_ = true;
    return true;
  }

 private:
  static constexpr std::chrono::milliseconds kMaxBackoff{2000};

  // One POST, retried on 429/502/503/504 and on connection failures with backoff
  // (Retry-After when the server gives one), until the export timeout. Once a batch has
  // failed that way, the next ones get one attempt each until one succeeds: an outage
  // longer than the timeout costs one timeout, not one per batch (nor a slow shutdown).
  sdk::common::ExportResult Send(std::size_t spans) {
    const auto deadline = Clock::now() + timeout_;
    auto backoff = std::chrono::milliseconds(200);
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return Failed();
      long retry_after = 0;
      const long status = PostOnce(left, retry_after);
      if (status >= 200 && status < 300) {
        outage_ = false;
        return sdk::common::ExportResult::kSuccess;
      }
      const bool retryable =
          status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
      if (!retryable) return sdk::common::ExportResult::kFailure;
      if (outage_ || shutdown_) return Failed();
      auto wait = retry_after > 0 ? std::chrono::milliseconds(retry_after * 1000) : backoff;
      if (Clock::now() + wait >= deadline) return Failed();
      std::this_thread::sleep_for(wait);
      backoff = std::min(backoff * 2, kMaxBackoff);
      if (stats_) stats_->spans_retried += spans;
    }
  }

  sdk::common::ExportResult Failed() {
    outage_ = true;
    return sdk::common::ExportResult::kFailure;
  }

  // The HTTP status, or 0 when no answer came.
  long PostOnce(std::chrono::milliseconds budget, long& retry_after) {
    CURL* handle = curl_;
    curl_easy_reset(handle);  // keeps the open connection and the TLS session
    curl_easy_setopt(handle, CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_size_));
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers_);
    static const std::string agent = std::string("fabtrace-otlp/") + kVersion;
    curl_easy_setopt(handle, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(budget.count()));
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<std::int64_t>(budget.count(), 2000)));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &Discard);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &ReadRetryAfter);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &retry_after);
    if (!tls_.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, tls_.ca_file.c_str());
    if (!tls_.client_certificate_file.empty()) {
      curl_easy_setopt(handle, CURLOPT_SSLCERT, tls_.client_certificate_file.c_str());
    }
    if (!tls_.client_key_file.empty()) {
      curl_easy_setopt(handle, CURLOPT_SSLKEY, tls_.client_key_file.c_str());
    }
    if (curl_easy_perform(handle) != CURLE_OK) return 0;
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }

  const std::string endpoint_;
  const std::chrono::milliseconds timeout_;
  const ExportTls tls_;
  const std::shared_ptr<ExportStats> stats_;
  detail::RecordablePool pool_;  // as many as can be queued or in flight at once
  CURL* curl_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::string body_;           // reused, never cleared: it grows to the largest batch once
  std::size_t body_size_ = 0;  // the request: body_'s first bytes
  bool outage_ = false;        // the last export failed after retrying
  std::mutex mutex_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace

std::unique_ptr<sdktrace::SpanExporter> MakeCompactOtlpHttpExporter(
    const Settings& settings, std::shared_ptr<ExportStats> stats) {
  return std::make_unique<CompactOtlpHttpExporter>(settings, std::move(stats));
}

}  // namespace fabtrace::telemetry
