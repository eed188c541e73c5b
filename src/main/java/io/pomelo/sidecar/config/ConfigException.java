package io.pomelo.sidecar.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one error type for every bad input: servers.json, sidecar.yaml, certificates. It carries every problem
 * found, so that {@code check} can print them all at once rather than one per run.
 */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public ConfigException(ConfigProblem problem) {
    this(List.of(problem));
  }

  public ConfigException(String file, String place, String value, String rule) {
    this(new ConfigProblem(file, place, value, rule));
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
