// S3 (MinIO) through its toxiproxy proxy: real objects, real S3 error codes, real
// hangs and outages. Runs inside ./fabtrace test.
#include "fabtrace/s3/s3_client.h"

#include <gtest/gtest.h>

#include <random>

#include "fabtrace/http/transfer.h"
#include "fabtrace/telemetry/in_memory_tracing.h"
#include "fabtrace/testing/landscape.h"

namespace fabtrace::s3 {
namespace {

using telemetry::testing::FindSpan;
using telemetry::testing::IntAttribute;
using telemetry::testing::StringAttribute;
namespace trace = opentelemetry::trace;

S3Options Store() {
  S3Options options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(testing::LandscapePort("MINIO_PROXY"));
  options.access_key = testing::Landscape("MINIO_USER");
  options.secret_key = testing::Landscape("MINIO_PASSWORD");
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.request_timeout = std::chrono::milliseconds(500);
  return options;
}

std::string UniqueKey() {
  std::random_device random;
  return "tests/s3-" + std::to_string(random()) + ".stl";
}

class S3 : public ::testing::Test {
 protected:
  void SetUp() override {
    FABTRACE_REQUIRE_LANDSCAPE();
    bucket = testing::Landscape("MODELS_BUCKET");
  }
  telemetry::testing::InMemoryTracing tracing;
  std::string bucket;
};

TEST_F(S3, RoundTripWithConventionAttributes) {
  S3Client client(Store());
  const auto key = UniqueKey();
  const std::string body = "solid cube\nendsolid cube\n";
  client.Put(bucket, key, body, "model/stl");
  const auto info = client.Head(bucket, key);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, body.size());
  const auto object = client.Get(bucket, key);
  EXPECT_EQ(object.body, body);
  EXPECT_EQ(object.info.content_type, "model/stl");
  client.Delete(bucket, key);
  EXPECT_FALSE(client.Head(bucket, key));

  const auto spans = tracing.TakeSpans();
  const auto* put = FindSpan(spans, "S3.PutObject");
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->GetSpanKind(), trace::SpanKind::kClient);
  EXPECT_EQ(StringAttribute(*put, "rpc.system"), "aws-api");
  EXPECT_EQ(StringAttribute(*put, "rpc.service"), "S3");
  EXPECT_EQ(StringAttribute(*put, "rpc.method"), "PutObject");
  EXPECT_EQ(StringAttribute(*put, "aws.s3.bucket"), bucket);
  EXPECT_EQ(StringAttribute(*put, "aws.s3.key"), key);
  EXPECT_EQ(IntAttribute(*put, "http.response.status_code"), 200);
  EXPECT_TRUE(StringAttribute(*put, "aws.request_id").has_value());
  EXPECT_EQ(put->GetStatus(), trace::StatusCode::kUnset);
  ASSERT_NE(FindSpan(spans, "S3.GetObject"), nullptr);
  ASSERT_NE(FindSpan(spans, "S3.DeleteObject"), nullptr);
}

TEST_F(S3, ServerErrorCodesAreRecorded) {
  S3Client client(Store());
  EXPECT_EQ(testing::ErrorTypeOf<S3Error>([&] { client.Get(bucket, UniqueKey()); }), "NoSuchKey");
  EXPECT_EQ(
      testing::ErrorTypeOf<S3Error>([&] { client.Put("no-such-bucket-fabtrace", "a.stl", "x"); }),
      "NoSuchBucket");
  auto wrong = Store();
  wrong.secret_key = "not-the-secret";
  EXPECT_EQ(testing::ErrorTypeOf<S3Error>([&] { S3Client(wrong).Get(bucket, "a.stl"); }),
            "SignatureDoesNotMatch");
  EXPECT_EQ(testing::ErrorTypeOf<S3Error>([&] { client.Get(bucket, "../escape"); }),
            "InvalidObjectKey");

  const auto spans = tracing.TakeSpans();
  const auto* get = FindSpan(spans, "S3.GetObject");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->GetStatus(), trace::StatusCode::kError);
  EXPECT_EQ(StringAttribute(*get, "error.type"), "NoSuchKey");
  EXPECT_EQ(IntAttribute(*get, "http.response.status_code"), 404);
  const auto* put = FindSpan(spans, "S3.PutObject");
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(StringAttribute(*put, "error.type"), "NoSuchBucket");
  EXPECT_EQ(StringAttribute(*put, "aws.s3.bucket"), "no-such-bucket-fabtrace");
}

TEST_F(S3, HangEndsAtTheRequestTimeoutAndRecovers) {
  S3Client client(Store());
  testing::FaultGuard heal("minio");
  testing::Toxiproxy().Hang("minio");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(testing::ErrorTypeOf<S3Error>([&] { client.Get(bucket, "anything.stl"); }), "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
  testing::Toxiproxy().Heal("minio");
  const auto key = UniqueKey();
  client.Put(bucket, key, "after the hang");
  EXPECT_EQ(client.Get(bucket, key).body, "after the hang");

  const auto spans = tracing.TakeSpans();
  const auto* hung = FindSpan(spans, "S3.GetObject");
  ASSERT_NE(hung, nullptr);
  EXPECT_EQ(StringAttribute(*hung, "error.type"), "timeout");
  EXPECT_GE(hung->GetDuration(), std::chrono::milliseconds(480));
  EXPECT_LT(hung->GetDuration(), std::chrono::milliseconds(1200));
}

TEST_F(S3, OutageIsConnectionRefusedAndTheStoreIsUsedAgainAfterwards) {
  S3Client client(Store());
  testing::FaultGuard heal("minio");
  testing::Toxiproxy().SetEnabled("minio", false);
  EXPECT_EQ(testing::ErrorTypeOf<S3Error>([&] { client.Head(bucket, "anything.stl"); }),
            "connection_refused");
  testing::Toxiproxy().SetEnabled("minio", true);
  EXPECT_FALSE(client.Head(bucket, UniqueKey()));
  const auto spans = tracing.TakeSpans();
  ASSERT_FALSE(spans.empty());
  EXPECT_EQ(StringAttribute(*spans.front(), "error.type"), "connection_refused");
  EXPECT_EQ(StringAttribute(*spans.front(), "aws.s3.bucket"), bucket);
}

TEST_F(S3, PresignedGetWorksWithoutCredentialsAndOnlyUntampered) {
  S3Client client(Store());
  const auto key = UniqueKey();
  client.Put(bucket, key, "presigned body");
  const auto url = client.PresignGet(bucket, key, std::chrono::seconds(60));
  http::TransferRequest request;
  request.url = url;
  auto result = http::Perform(request);
  EXPECT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.body, "presigned body");
  request.url = url.substr(0, url.size() - 1) + (url.back() == '0' ? "1" : "0");
  result = http::Perform(request);
  EXPECT_EQ(result.status, 403);
}

}  // namespace
}  // namespace fabtrace::s3
