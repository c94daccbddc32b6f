/**
 * Who may call the job API: bearer JWTs from the service's issuer (a Cognito user pool when
 * deployed), verified against its JWKS, with scopes for permissions. Settings: {@code app.auth.*}
 * ({@link com.example.archetypes.runtime.auth.AuthSettings}); answers to refused callers: 401, 403
 * or 503 with a problem body ({@link com.example.archetypes.runtime.auth.AuthRejectionHandler}).
 */
package com.example.archetypes.runtime.auth;
