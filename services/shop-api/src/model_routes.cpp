// 3D models: upload (validated and measured here, stored in S3), list, detail with a
// presigned download link, and the file itself.
#include <sodium.h>

#include <cctype>

#include "fabtrace/http/validation.h"
#include "fabtrace/models/stl_reader.h"
#include "fabtrace/telemetry/annotate.h"
#include "shop_api.h"

namespace shop {
namespace {

using fabtrace::http::HttpError;
using fabtrace::http::Request;
using fabtrace::http::Response;
using fabtrace::models::ModelGeometry;
using fabtrace::models::ReadStl;
using fabtrace::models::StlError;
using fabtrace::telemetry::Annotate;

std::string NewObjectKey(std::int64_t customer) {
  unsigned char random[12];
  randombytes_buf(random, sizeof random);
  char hex[25];
  sodium_bin2hex(hex, sizeof hex, random, sizeof random);
  return "models/" + std::to_string(customer) + "/" + hex + ".stl";
}

std::string SafeFilename(const Request& request) {
  std::string name(request.header("x-filename").value_or("model.stl"));
  std::string safe;
  for (char c : name.substr(0, 100)) {
    safe.push_back(
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '_');
  }
  return safe.empty() ? "model.stl" : safe;
}

}  // namespace

void ShopApi::AddModelRoutes(fabtrace::http::Router& router) {
  router.Post("/models", [this](Request& request) {
    const auto customer = SignedIn(request);
    ModelGeometry geometry;
    try {
      geometry = ReadStl(request.body, {deps_.max_model_bytes, 2'000'000});
    } catch (const StlError& error) {
      throw HttpError(400, "invalid_model_" + error.code, error.what());
    }
    const auto key = NewObjectKey(customer);
    deps_.models.s3.Put(deps_.models.bucket, key, request.body, "model/stl");
    const auto model =
        store_.CreateModel({customer,
                            SafeFilename(request),
                            key,
                            geometry.format,
                            request.body.size(),
                            static_cast<std::int64_t>(geometry.triangles),
                            geometry.volume_mm3,
                            geometry.surface_mm2,
                            {geometry.max[0] - geometry.min[0], geometry.max[1] - geometry.min[1],
                             geometry.max[2] - geometry.min[2]}});
    Annotate("shop.model.id", model["id"].get<std::int64_t>());
    return Response::Json(201, model);
  });

  router.Get("/models", [this](Request& request) {
    return Response::Json(200, {{"models", store_.Models(SignedIn(request))}});
  });

  router.Get("/models/{id}", [this](Request& request) {
    auto model = OwnedModel(request);
    const auto key = model["s3_key"].get<std::string>();
    model.erase("s3_key");
    model["download_url"] =
        deps_.models.s3.PresignGet(deps_.models.bucket, key, std::chrono::minutes(15));
    return Response::Json(200, model);
  });

  router.Get("/models/{id}/file", [this](Request& request) {
    const auto model = OwnedModel(request);
    auto object = deps_.models.s3.Get(deps_.models.bucket, model["s3_key"].get<std::string>());
    auto response = Response::Text(200, std::move(object.body), "model/stl");
    response.headers.emplace(
        "Content-Disposition",
        "attachment; filename=\"" + model["filename"].get<std::string>() + "\"");
    return response;
  });
}

nlohmann::json ShopApi::OwnedModel(const Request& request) {
  const auto customer = SignedIn(request);
  const auto id = fabtrace::http::PathId(request, "id");
  Annotate("shop.model.id", id);
  auto model = store_.Model(customer, id);
  if (!model) throw HttpError(404, "model_not_found", "no such model");
  return *model;
}

}  // namespace shop
