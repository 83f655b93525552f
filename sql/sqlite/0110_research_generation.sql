-- The generation of the research data (issue 13, cohort views): one row,
-- bumped inside every transaction that changes what researchers can see
-- (records/researchgeneration.h). The researcher API keeps a cohort view it
-- computed only while the generation stays the same; being in the shared
-- database, it works for several server instances.
CREATE TABLE research_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO research_generation (id, generation) VALUES (1, 0);
