/**
 * What every generated service runs on and no team edits. Its public API is small: a service starts
 * with {@link com.example.archetypes.runtime.ServiceApplication}, marks beans that belong to one role
 * with {@link com.example.archetypes.runtime.WebRole} or {@link com.example.archetypes.runtime.WorkerRole},
 * and writes jobs and periodic tasks against the interfaces of
 * {@link com.example.archetypes.runtime.jobs}. The {@code web} package (problem+json errors, JSON-only
 * request bodies, status-only health) has nothing public: it works by being on the class path.
 */
package com.example.archetypes.runtime;
