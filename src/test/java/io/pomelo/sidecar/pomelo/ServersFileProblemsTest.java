package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.pomelo.sidecar.config.ConfigProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every way a servers.json can be refused: each problem names the file, the JSON path, the value and the rule. */
class ServersFileProblemsTest {

  @Test
  void collectsEveryProblemInTheFileWithItsPlaceAndValue() {
    List<ConfigProblem> problems = ServersJson.problems("""
      {
        "development": {"gate": [{"id": "fine", "host": "h", "clientPort": "x", "frontend": true}]},
        "production": {
          "gate": [{"id": "gate-1", "host": "h", "frontend": true}],
          "connector": [
            {"id": "connector-1", "host": "h", "clientPort": 3050, "frontend": true},
            {"id": "connector-2", "host": "h", "clientPort": 70000, "frontend": true},
            {"id": "connector-3", "host": "h", "clientPort": 3052.5, "frontend": true},
            {"id": "connector-4", "host": "h", "clientPort": "3o53", "frontend": true},
            {"id": "connector-5", "host": "h", "clientPort": 0, "frontend": true},
            {"id": "connector-6", "clientPort": 3056, "frontend": true},
            "connector-7",
            {"host": "h", "port": 4050},
            {"id": "  ", "host": "h", "port": 4051},
            {"id": "connector-10", "host": "h", "clientHost": 5, "clientPort": 3060, "frontend": true}
          ],
          "chat": null,
          "area": "area-server-1"
        }
      }""", "production");

    assertThat(problems).extracting(ConfigProblem::place, ConfigProblem::value).containsExactly(
      tuple("production.connector[6]", "\"connector-7\""),
      tuple("production.connector[7].id", null),
      tuple("production.connector[8].id", "\"  \""),
      tuple("production.chat", "null"),
      tuple("production.area", "\"area-server-1\""),
      tuple("production.gate[0].clientPort", null),
      tuple("production.connector[1].clientPort", "70000"),
      tuple("production.connector[2].clientPort", "3052.5"),
      tuple("production.connector[3].clientPort", "\"3o53\""),
      tuple("production.connector[4].clientPort", "0"),
      tuple("production.connector[5].host", null),
      tuple("production.connector[9].clientHost", "5"));
    assertThat(problems).allSatisfy(p -> assertThat(p.file()).isEqualTo("servers.json"));
  }

  @Test
  void eachRuleSaysWhatTheValueShouldBe() {
    List<ConfigProblem> problems = ServersJson.problems("""
      {"connector": [{"id": "c", "host": "h", "clientPort": 70000, "frontend": true}, 7, {"host": "h"}],
       "gate": null}""", "development");

    assertThat(problems).extracting(ConfigProblem::toString).containsExactly(
      "servers.json: connector[1] = 7: must be an object describing one server",
      "servers.json: connector[2].id: every server needs an id, a non-blank string",
      "servers.json: gate = null: must be an array of servers",
      "servers.json: connector[0].clientPort = 70000: must be a whole number from 1 to 65535"
        + " (a number or a string of digits)");
  }

  @Test
  void frontendWithoutClientPortSaysWhatItIsFor() {
    ConfigProblem problem = ServersJson.problems("""
      {"gate": [{"id": "gate-1", "host": "127.0.0.1", "frontend": "true"}]}""", "development").get(0);

    assertThat(problem.toString())
      .isEqualTo("servers.json: gate[0].clientPort: a frontend server needs a clientPort, the port clients connect to");
  }

  @Test
  void invalidJsonGivesLineAndColumn() {
    List<ConfigProblem> problems = ServersJson.problems("""
      {
        "development": {
          "gate": [
            {"id": "gate-1", "host": "127.0.0.1" "clientPort": 3014}
          ]
        }
      }""", "development");

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.place()).isEqualTo("line 4, column 44");
      assertThat(p.rule()).startsWith("is not valid JSON: Unexpected character ('\"'");
    });
  }

  @Test
  void refusesWhatJsonParseRefuses() {
    assertThat(ServersJson.problems("{\"gate\": [],}", "development").get(0).place()).isEqualTo("line 1, column 13");
    assertThat(ServersJson.problems("// servers\n{}", "development").get(0).place()).isEqualTo("line 1, column 1");
    assertThat(ServersJson.problems("{} {}", "development").get(0))
      .extracting(ConfigProblem::place, ConfigProblem::rule)
      .containsExactly("line 1, column 4", "unexpected content after the end of the JSON value");
    assertThat(ServersJson.problems("", "development").get(0).rule()).startsWith("is empty");
  }

  @Test
  void theFileMustBeAnObject() {
    ConfigProblem problem = ServersJson.problems("[{\"id\": \"gate-1\"}]", "development").get(0);

    assertThat(problem.place()).isEmpty();
    assertThat(problem.value()).isEqualTo("[{\"id\":\"gate-1\"}]");
    assertThat(problem.rule()).startsWith("must be a JSON object");
  }

  @Test
  void quotesKeysThatAreNotPlainNames() {
    ConfigProblem problem = ServersJson.problems("""
      {"chat server": [{"host": "h"}]}""", "development").get(0);

    assertThat(problem.place()).isEqualTo("[\"chat server\"][0].id");
  }
}
