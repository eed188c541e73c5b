package io.pomelo.sidecar.admin;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The repository's openapi.yaml as a response checker: a test hands it each answer and the operation it came from,
 * and vertx-openapi checks the status, the content type and the body against the document.
 */
public final class OpenApiDocument {

  private final ResponseValidator validator;
  private final OpenAPIContract contract;
  private final JsonObject written;

  private OpenApiDocument(OpenAPIContract contract, ResponseValidator validator, JsonObject written) {
    this.contract = contract;
    this.validator = validator;
    this.written = written;
  }

  static Path file() {
    return Path.of(System.getProperty("sidecar.project.dir", "."), "src/main/resources/openapi.yaml");
  }

  public static OpenApiDocument load(Vertx vertx) throws Exception {
    Map<String, Object> yaml = new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(file()));
    JsonObject written = new JsonObject(yaml);
    JsonObject document = written.copy();
    // vertx-openapi refuses to load a document with a media type it cannot validate (application/yaml, text/html);
    // it is given text/plain there, and check() compares such answers with the document as written.
    for (String path : document.getJsonObject("paths").fieldNames()) {
      for (Object operation : document.getJsonObject("paths").getJsonObject(path)) {
        JsonObject responses = ((JsonObject) ((Map.Entry<?, ?>) operation).getValue()).getJsonObject("responses");
        for (String status : responses.fieldNames()) {
          JsonObject content = responses.getJsonObject(status).getJsonObject("content");
          for (String type : content == null ? java.util.Set.<String>of() : java.util.Set.copyOf(content.fieldNames())) {
            if (!type.equals("application/json") && !type.startsWith("text/plain")) {
              content.put("text/plain", content.remove(type));
            }
          }
        }
      }
    }
    OpenAPIContract contract = OpenAPIContract.from(vertx, document)
      .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return new OpenApiDocument(contract, ResponseValidator.create(vertx, contract), written);
  }

  /** The media types {@code openapi.yaml} as written gives this operation's answer with this status. */
  private java.util.Set<String> declaredTypes(String operationId, int status) {
    for (String path : written.getJsonObject("paths").fieldNames()) {
      for (Object entry : written.getJsonObject("paths").getJsonObject(path)) {
        JsonObject operation = (JsonObject) ((Map.Entry<?, ?>) entry).getValue();
        if (operationId.equals(operation.getString("operationId"))) {
          JsonObject response = operation.getJsonObject("responses").getJsonObject(String.valueOf(status));
          JsonObject content = response == null ? null : response.getJsonObject("content");
          return content == null ? java.util.Set.of() : content.fieldNames();
        }
      }
    }
    throw new AssertionError("no operation " + operationId + " in openapi.yaml");
  }

  OpenAPIContract contract() {
    return contract;
  }

  /** Throws with the validator's reason when {@code answer} does not match what the document says. */
  public void check(String operationId, AdminClient.Answer answer) throws Exception {
    Map<String, String> headers = new HashMap<>();
    answer.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
    String type = answer.contentType();
    if (type != null && !type.startsWith("application/json")) {
      // The validator parses only JSON bodies; for text the document's status and media type are what it says.
      if (!declaredTypes(operationId, answer.status()).contains(type.split(";")[0].trim())) {
        throw new AssertionError(operationId + " " + answer.status() + " " + type + " is not in openapi.yaml");
      }
      return;
    }
    // A redirect has no body, and the validator takes an empty one for a body without a type.
    boolean empty = answer.body() == null || answer.body().length() == 0;
    ValidatableResponse response = ValidatableResponse.create(answer.status(), headers, empty ? null : answer.body(),
      type == null ? null : type.split(";")[0].trim());
    try {
      validator.validate(response, operationId).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(operationId + " " + answer.status() + " does not match openapi.yaml: "
        + e.getCause() + "\n" + answer.text(), e.getCause());
    }
  }
}
