package io.pomelo.sidecar.cli;

import picocli.CommandLine;

/** The version Maven wrote into the jar's manifest; "development" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[]{"pomelo-sidecar " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
  }
}
