package com.example.templateservice.infra;

import software.amazon.awssdk.protocols.jsoncore.JsonNode;

import java.net.URI;
import java.util.Map;

/**
 * What a machine caller of the job API needs, as the environment keeps it in Secrets Manager (a JSON
 * object): its client id and secret, the token endpoint, and the scopes to ask for.
 */
record CallerCredentials(String clientId, String clientSecret, URI tokenUrl, String scope) {

    static CallerCredentials parse(String secretJson) {
        Map<String, JsonNode> fields;
        try {
            fields = JsonNode.parser().parse(secretJson).asObject();
        } catch (RuntimeException e) {
            throw new DeployFailure("the caller's secret is not the JSON object the environment writes"
                    + " (client_id, client_secret, token_url, scope); run infra/deploy up to write it again.");
        }
        return new CallerCredentials(field(fields, "client_id"), field(fields, "client_secret"),
                URI.create(field(fields, "token_url")), field(fields, "scope"));
    }

    private static String field(Map<String, JsonNode> fields, String name) {
        JsonNode value = fields.get(name);
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw new DeployFailure("the caller's secret has no " + name + "; run infra/deploy up to write it again.");
        }
        return value.asString();
    }
}
