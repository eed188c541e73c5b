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

  private OpenApiDocument(OpenAPIContract contract, ResponseValidator validator) {
    this.contract = contract;
    this.validator = validator;
  }

  static Path file() {
    return Path.of(System.getProperty("sidecar.project.dir", "."), "src/main/resources/openapi.yaml");
  }

  public static OpenApiDocument load(Vertx vertx) throws Exception {
    Map<String, Object> yaml = new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(file()));
    JsonObject document = new JsonObject(yaml);
    // vertx-openapi refuses to load a document with a media type it cannot validate, and application/yaml is one;
    // the tests check that one answer (the document itself) by hand.
    JsonObject content = document.getJsonObject("paths").getJsonObject("/api/openapi.yaml").getJsonObject("get")
      .getJsonObject("responses").getJsonObject("200").getJsonObject("content");
    content.put("text/plain", content.remove("application/yaml"));
    OpenAPIContract contract = OpenAPIContract.from(vertx, document)
      .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return new OpenApiDocument(contract, ResponseValidator.create(vertx, contract));
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
      var declared = contract.operation(operationId).getResponse(answer.status());
      if (declared == null || !declared.getContent().containsKey(type.split(";")[0].trim())) {
        throw new AssertionError(operationId + " " + answer.status() + " " + type + " is not in openapi.yaml");
      }
      return;
    }
    ValidatableResponse response = ValidatableResponse.create(answer.status(), headers, answer.body(),
      type == null ? null : type.split(";")[0].trim());
    try {
      validator.validate(response, operationId).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(operationId + " " + answer.status() + " does not match openapi.yaml: "
        + e.getCause() + "\n" + answer.text(), e.getCause());
    }
  }
}
