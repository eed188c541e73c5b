package io.pomelo.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class PromQlTest {

  @Test
  void readsTheSeriesAndNothingElse() {
    assertThat(PromQl.seriesNames("up{job=\"pomelo-sidecar\"} == 0")).containsExactly("up");
    assertThat(PromQl.seriesNames(
      "sum by (route, status) (rate(pomelo_sidecar_upgrades_total{instance=~\"$instance\"}[$__rate_interval]))"))
      .containsExactly("pomelo_sidecar_upgrades_total");
    assertThat(PromQl.seriesNames("pomelo_sidecar_certificate_expiry_seconds < 14 * 86400"))
      .containsExactly("pomelo_sidecar_certificate_expiry_seconds");
    assertThat(PromQl.seriesNames("count(a_total == 0) or vector(0)")).containsExactly("a_total");
  }

  @Test
  void keepsSuffixesAndSkipsKeywordsDurationsNumbersAndStrings() {
    assertThat(PromQl.seriesNames(
      "histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket[5m]))) / x_seconds_sum offset 1h"))
      .containsExactly("x_seconds_bucket", "x_seconds_sum");
    assertThat(PromQl.seriesNames("a > 1e3 and b unless on (instance) group_left (name) c > bool 2"))
      .containsExactly("a", "b", "c");
    assertThat(PromQl.seriesNames("label_replace(d, \"dst\", \"$1\", \"src\", \"(not_a_series)\")"))
      .containsExactly("d");
    assertThat(PromQl.seriesNames("sum(rate(e_total[1h] offset 5m)) by (job, reason) > 4"))
      .containsExactly("e_total");
  }
}
