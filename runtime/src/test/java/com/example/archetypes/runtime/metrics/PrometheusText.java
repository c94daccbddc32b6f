package com.example.archetypes.runtime.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a metrics port, read as Prometheus's text format: series, their labels and values. */
record PrometheusText(String text) {

    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( \\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Scrapes {@code http://127.0.0.1:<port>/metrics}. */
    static PrometheusText scrape(int port) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the metrics port answered " + response.statusCode() + ": " + response.body());
            }
            return new PrometheusText(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Series(String name, Map<String, String> labels, double value) {
    }

    List<Series> series() {
        return text.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).map(line -> {
            Matcher matcher = SERIES.matcher(line);
            if (!matcher.matches()) {
                throw new IllegalStateException("not a line of Prometheus text: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (matcher.group(3) != null) {
                Matcher label = LABEL.matcher(matcher.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            return new Series(matcher.group(1), labels, number(matcher.group(4)));
        }).toList();
    }

    private static double number(String value) {
        return switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value);
        };
    }

    /** The sum of the series named {@code name} whose labels include {@code labels}; 0 when there is none. */
    double value(String name, Map<String, String> labels) {
        return series().stream()
                .filter(series -> series.name().equals(name) && series.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Series::value).sum();
    }

    double value(String name) {
        return value(name, Map.of());
    }

    boolean has(String name) {
        return series().stream().anyMatch(series -> series.name().equals(name));
    }
}
