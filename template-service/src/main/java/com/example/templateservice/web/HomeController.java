package com.example.templateservice.web;

import com.example.archetypes.runtime.WebRole;
import com.example.templateservice.visits.VisitCounter;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

import java.util.Map;

/** The home page, open to anyone: every other route needs a bearer token unless it says so like this. */
@WebRole
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
class HomeController {

    private final VisitCounter visitCounter;
    private final Pages pages;

    HomeController(VisitCounter visitCounter, Pages pages) {
        this.visitCounter = visitCounter;
        this.pages = pages;
    }

    /** Counts the visit and renders views/home.ftlh. JDBC blocks, so this runs off the event loop. */
    @Get(produces = MediaType.TEXT_HTML)
    @ExecuteOn(TaskExecutors.BLOCKING)
    String home() {
        return pages.render("home", Map.of("visits", visitCounter.recordVisit("/")));
    }
}
