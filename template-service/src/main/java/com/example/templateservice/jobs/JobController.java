package com.example.templateservice.jobs;

import com.example.templateservice.WebRole;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.http.uri.UriBuilder;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;

/**
 * {@code POST /jobs} queues a job and answers 202 with where to follow it; {@code GET /jobs/{id}}
 * shows it. Errors answer application/problem+json (see web.ProblemErrorResponseProcessor).
 */
@WebRole
@Controller("/jobs")
@ExecuteOn(TaskExecutors.BLOCKING)
class JobController {

    private final JobQueue queue;
    private final JobHandlers handlers;

    JobController(JobQueue queue, JobHandlers handlers) {
        this.queue = queue;
        this.handlers = handlers;
    }

    @Post
    HttpResponse<Job> submit(@Body @Valid JobRequest request) {
        if (handlers.find(request.type()).isEmpty()) {
            throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY,
                    "Unknown job type '" + request.type() + "'; known types: " + String.join(", ", handlers.types()));
        }
        Job job = queue.enqueue(request.type(), request.payload());
        return HttpResponse.accepted(UriBuilder.of("/jobs").path(job.id()).build()).body(job);
    }

    @Get("/{id}")
    Job status(String id) {
        return queue.find(id).orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND,
                "No job with id '" + id + "'; job records are kept for a limited time"));
    }
}
