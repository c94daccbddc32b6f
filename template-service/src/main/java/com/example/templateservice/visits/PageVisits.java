package com.example.templateservice.visits;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** How many times a page has been served. Table {@code page_visits}, see V1 migration. */
@MappedEntity("page_visits")
public record PageVisits(@Id String page, long visitCount) {
}
