package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WebRole;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.yml}: the job API's OpenAPI 3.1 document, as the build wrote it from
 * JobController's annotations (micronaut-openapi, at compile time). Public, as the API's contract is:
 * it names the scopes and the answers, no secret. Read once, at the first request.
 */
@WebRole
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
class OpenApiController {

    /** Where micronaut-openapi writes the document (runtime/pom.xml names the file). */
    static final String DOCUMENT = "META-INF/swagger/jobs-api.yml";

    private volatile byte[] document;

    @Hidden
    @Get(uri = "/openapi.yml", produces = "application/yaml")
    HttpResponse<byte[]> document() {
        byte[] loaded = document;
        if (loaded == null) {
            try (InputStream in = OpenApiController.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
                if (in == null) {
                    throw new IllegalStateException(DOCUMENT + " is not in the runtime library's jar: it was built without"
                            + " micronaut-openapi's annotation processor");
                }
                loaded = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            document = loaded;
        }
        return HttpResponse.ok(loaded).contentType("application/yaml");
    }
}
