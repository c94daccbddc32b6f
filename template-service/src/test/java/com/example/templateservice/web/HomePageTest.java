package com.example.templateservice.web;

import com.example.archetypes.runtime.testing.ServiceTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static java.util.stream.Collectors.toCollection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET / renders the page and counts each visit exactly once, however many arrive at once. */
class HomePageTest extends ServiceTest {

    private static final Pattern VISITS = Pattern.compile("<strong id=\"visits\">(\\d+)</strong>");

    @Test
    void rendersHelloWorldWithTheVisitCountGoingUpByOne() {
        HttpResponse<String> first = http.get("/");
        HttpResponse<String> second = http.get("/");

        assertEquals(200, first.statusCode());
        assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(first.body().contains("<h1>Hello, World</h1>"), first.body());
        assertEquals(visits(first) + 1, visits(second));
    }

    @Test
    void twoHundredConcurrentVisitsEachGetTheirOwnNumber() {
        long before = visits(http.get("/"));

        List<CompletableFuture<HttpResponse<String>>> requests = IntStream.range(0, 200)
                .mapToObj(i -> http.getAsync("/"))
                .toList();
        Set<Long> seen = requests.stream()
                .map(CompletableFuture::join)
                .map(HomePageTest::visits)
                .collect(toCollection(TreeSet::new));
        long after = visits(http.get("/"));

        Set<Long> expected = LongStream.rangeClosed(before + 1, before + 200).boxed().collect(toCollection(TreeSet::new));
        assertEquals(expected, seen, "200 requests must see 200 distinct, consecutive counts");
        assertEquals(before + 201, after);
    }

    private static long visits(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        Matcher matcher = VISITS.matcher(response.body());
        assertTrue(matcher.find(), "no visit count in: " + response.body());
        return Long.parseLong(matcher.group(1));
    }
}
