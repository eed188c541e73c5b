package io.pomelo.sidecar.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** conf/sidecar.yaml is the configuration reference: every key the reader knows appears in it (maybe commented). */
class SampleConfigTest {

  @Test
  void theSampleShowsEveryKey() throws Exception {
    String sample = Files.readString(Path.of(System.getProperty("sidecar.project.dir", ".")).resolve("conf/sidecar.yaml"));
    List<String> missing = new ArrayList<>();
    for (ConfigSection section : ConfigSection.values()) {
      List<String> keys = new ArrayList<>(List.of(section.yamlName()));
      section.keyNames().forEach(key -> {
        keys.add(key);
        keys.addAll(section.innerKeys(key));
      });
      for (String key : keys) {
        if (!Pattern.compile("(?m)^\\s*(#\\s*)?(-\\s*)?" + key + "\\s*:").matcher(sample).find()) {
          missing.add(section.yamlName() + ": " + key);
        }
      }
    }
    assertThat(missing).as("keys the reader accepts but conf/sidecar.yaml does not show").isEmpty();
  }
}
