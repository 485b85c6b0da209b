package io.storageengine.pageservice.auth;

/**
 * A token that does not authenticate anybody: malformed, badly signed, of an unknown key or
 * algorithm, expired or not yet valid, or with claims that grant nothing. The message says which,
 * never the token itself (messages reach responses and logs).
 */
public final class TokenException extends Exception {
    public TokenException(String message) {
        super(message);
    }
}
