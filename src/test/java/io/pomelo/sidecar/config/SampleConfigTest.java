package io.pomelo.sidecar.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** conf/sidecar.yaml is the configuration reference: every key the reader knows appears in it (maybe commented). */
class SampleConfigTest {

  @Test
  void theSampleShowsEveryKey() throws Exception {
    String sample = Files.readString(Path.of(System.getProperty("sidecar.project.dir", ".")).resolve("conf/sidecar.yaml"));
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Set<String>> section : SidecarConfigReader.SECTIONS.entrySet()) {
      for (String key : section.getValue()) {
        if (!Pattern.compile("(?m)^\\s*(#\\s*)?(-\\s*)?" + key + "\\s*:").matcher(sample).find()) {
          missing.add(section.getKey().isEmpty() ? key : section.getKey() + "." + key);
        }
      }
    }
    assertThat(missing).as("keys the reader accepts but conf/sidecar.yaml does not show").isEmpty();
  }
}
