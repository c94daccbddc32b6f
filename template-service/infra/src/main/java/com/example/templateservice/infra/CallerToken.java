package com.example.templateservice.infra;

import software.amazon.awssdk.protocols.jsoncore.JsonNode;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** An access token from the OAuth 2.0 token endpoint, for the client-credentials grant (RFC 6749, 4.4). */
record CallerToken(String accessToken, Duration expiresIn, String scope) {

    static CallerToken fetch(CallerCredentials caller) {
        String basic = Base64.getEncoder().encodeToString(
                (form(caller.clientId()) + ":" + form(caller.clientSecret())).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(caller.tokenUrl())
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + form(caller.scope())))
                .build();
        HttpResponse<String> response;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DeployFailure("cannot reach the token endpoint " + caller.tokenUrl() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployFailure("interrupted while asking " + caller.tokenUrl() + " for a token.");
        }
        Map<String, JsonNode> answer;
        try {
            answer = JsonNode.parser().parse(response.body()).asObject();
        } catch (RuntimeException e) {
            throw new DeployFailure("the token endpoint " + caller.tokenUrl() + " answered " + response.statusCode()
                    + " with something other than JSON.");
        }
        if (response.statusCode() != 200 || !answer.containsKey("access_token")) {
            // RFC 6749, 5.2: error is one word (invalid_client...), error_description may say more.
            String error = answer.containsKey("error") ? answer.get("error").asString() : "no error named";
            throw new DeployFailure("the token endpoint " + caller.tokenUrl() + " refused the caller's credentials ("
                    + response.statusCode() + " " + error + "). If the client was changed by hand, run infra/deploy up.");
        }
        long seconds = answer.containsKey("expires_in") ? Long.parseLong(answer.get("expires_in").asNumber()) : 0;
        return new CallerToken(answer.get("access_token").asString(), Duration.ofSeconds(seconds), caller.scope());
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
