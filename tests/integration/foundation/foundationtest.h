#pragma once

#include "testdatabase.h"

#include <QTest>

// In a test function of a class whose initTestCase_data() calls
// test::addBackendRows(): a throw-away database for the current backend row.
#define OPEN_TEST_DATABASE(tdb)                                                                                        \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    openaps::test::TestDatabase tdb(backend);                                                                          \
    QVERIFY2(tdb.isValid(), "cannot create a test database (is OPENAPS_TEST_POSTGRES_URL right?)")
