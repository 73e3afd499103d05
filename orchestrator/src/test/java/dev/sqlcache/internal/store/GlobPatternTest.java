package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobPatternTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
        "sqlcache:*, sqlcache:e:1, true",
        "sqlcache:*, other:e, false",
        "a?c, abc, true",
        "a?c, ac, false",
        "v:[ab], v:a, true",
        "v:[ab], v:c, false",
        "v:[^ab], v:c, true",
        "v:[a-c], v:b, true",
        "a.b, a.b, true",
        "a.b, axb, false",
        "a\\*b, a*b, true",
        "a\\*b, axb, false",
        "(x)+, (x)+, true",
    })
    void matchesLikeRedis(String glob, String key, boolean expected) {
        assertEquals(expected, GlobPattern.compile(glob).matcher(key).matches());
    }
}
