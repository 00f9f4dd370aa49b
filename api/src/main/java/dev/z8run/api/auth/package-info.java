/**
 * Who the caller is: argon2id password hashes ({@link dev.z8run.api.auth.PasswordHasher}), HS256
 * bearer tokens ({@link dev.z8run.api.auth.Tokens}) and the per-address login throttle ({@link
 * dev.z8run.api.auth.LoginRateLimiter}). Plain classes with no HTTP in them: the REST resources in
 * {@link dev.z8run.api.rest} call them and turn their answers into status codes.
 *
 * <p>Cryptography comes from well-kept libraries (BouncyCastle for argon2id, Auth0's java-jwt for
 * JWT); this package only chooses parameters and checks formats. Nothing here reads the
 * environment, stores users or logs a secret, a password or a token: settings arrive as arguments,
 * users live in the store, and exception messages name what was wrong, never the secret value.
 */
package dev.z8run.api.auth;
