package io.pomelo.sidecar.cli;

public final class Main {
  public static void main(String[] args) {
  }
}
