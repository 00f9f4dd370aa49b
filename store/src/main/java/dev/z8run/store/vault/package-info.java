/**
 * The vault: secrets per owner, AES-256-GCM at rest ({@link dev.z8run.store.vault.VaultCipher}),
 * with the key from {@code Z8_VAULT_SECRET} through PBKDF2 or from a private key file ({@link
 * dev.z8run.store.vault.VaultKeys}), checked when the store opens.
 *
 * <p>Owns: key material, the blob format, entry-name rules. Must not touch: the process environment
 * (the secret is passed in), logs (no plaintext or key ever goes into a message), HTTP, the engine,
 * how node configs refer to secrets ({@code vault:<name>} is resolved by the caller).
 */
package dev.z8run.store.vault;
