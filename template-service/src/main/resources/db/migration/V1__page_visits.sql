-- One row per page, counting its visits. utf8mb4 so that any page name fits.
CREATE TABLE page_visits (
    page        VARCHAR(191) NOT NULL,
    visit_count BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (page)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
