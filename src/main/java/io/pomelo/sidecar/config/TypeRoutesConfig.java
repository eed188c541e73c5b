package io.pomelo.sidecar.config;

/**
 * Settings for the routes of one Pomelo server type ({@code routes.types.connector}); a null field inherits the
 * global value from {@link RoutesConfig}.
 *
 * @param stripPrefix whether the backend sees the path without the route prefix
 * @param dial        which of the server's addresses to dial
 */
public record TypeRoutesConfig(Boolean stripPrefix, DialAddress dial) {
}
