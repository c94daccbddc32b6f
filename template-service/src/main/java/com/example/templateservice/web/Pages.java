package com.example.templateservice.web;

import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;

/**
 * Renders the FreeMarker templates in {@code src/main/resources/views}. Templates ending in
 * {@code .ftlh} escape everything they print as HTML.
 *
 * <p>micronaut-views-freemarker would do this, but the registry our build machines reach does not
 * serve the version the Micronaut platform BOM manages (5.9.0), so this small class does it.
 */
@Singleton
class Pages {

    private final Configuration freemarker = new Configuration(Configuration.VERSION_2_3_34);

    Pages() {
        freemarker.setClassForTemplateLoading(Pages.class, "/views");
        freemarker.setDefaultEncoding("UTF-8");
        freemarker.setRecognizeStandardFileExtensions(true);
        freemarker.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        freemarker.setLogTemplateExceptions(false);
        freemarker.setWrapUncheckedExceptions(true);
    }

    /** Renders {@code views/<name>.ftlh} with the given model. */
    String render(String name, Map<String, Object> model) {
        try {
            StringWriter html = new StringWriter();
            freemarker.getTemplate(name + ".ftlh").process(model, html);
            return html.toString();
        } catch (IOException | TemplateException e) {
            throw new IllegalStateException("Cannot render view '" + name + "': " + e.getMessage(), e);
        }
    }
}
