package dev.sqlcache.internal.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;

import static dev.sqlcache.internal.analysis.ExpectPins.array;
import static dev.sqlcache.internal.analysis.ExpectPins.bind;
import static dev.sqlcache.internal.analysis.ExpectPins.none;
import static dev.sqlcache.internal.analysis.ExpectPins.pins;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key pins, assigned columns and the upsert flag, per dialect: what a statement's text ties to known key values,
 * and every rule under which it must tie nothing.
 */
class KeyPinsTest {

    private static final Map<DatabaseFamily, QueryAnalyzer> ANALYZERS = new EnumMap<>(DatabaseFamily.class);

    static {
        for (DatabaseFamily family : DatabaseFamily.values()) {
            ANALYZERS.put(family, new QueryAnalyzer(family, 1_000));
        }
    }

    /** Statements H2, PostgreSQL, MySQL and MariaDB all accept, checked in each of their dialects. */
    static List<ExpectPins> portable() {
        return List.of(
                // what pins
                pins("SELECT * FROM t WHERE id = 5").pin("t", "id", 5),
                pins("SELECT * FROM t WHERE id = ?").pin("t", "id", bind(1)),
                pins("SELECT * FROM t WHERE 5 = id").pin("t", "id", 5),
                pins("SELECT * FROM t WHERE (id = ?)").pin("t", "id", bind(1)),
                pins("SELECT * FROM t WHERE id IN (1, 2, ?)").pin("t", "id", 1, 2, bind(1)),
                pins("SELECT * FROM t WHERE id = ? AND name = 'x'").pin("t", "id", bind(1)).pin("t", "name", "x"),
                pins("SELECT * FROM t WHERE a = ? AND b = ? AND c > 3").pin("t", "a", bind(1)).pin("t", "b", bind(2)),
                pins("SELECT * FROM t WHERE (a, b) = (1, ?)").pin("t", "a", 1).pin("t", "b", bind(1)),
                pins("SELECT * FROM t x WHERE x.id = ?").pin("t", "id", bind(1)),
                pins("SELECT * FROM t AS x WHERE x.id = ?").pin("t", "id", bind(1)),
                pins("SELECT * FROM t WHERE t.id = ?").pin("t", "id", bind(1)),
                pins("SELECT * FROM T WHERE ID = 7").pin("t", "id", 7),
                pins("SELECT name FROM t WHERE id = ? ORDER BY name LIMIT 10").pin("t", "id", bind(1)),
                pins("SELECT count(*), max(a) FROM t WHERE id IN (1, 2) GROUP BY b HAVING count(*) > 1").pin("t", "id", 1, 2),
                pins("SELECT DISTINCT a FROM t WHERE id = -5").pin("t", "id", -5),
                pins("SELECT * FROM t WHERE id = 1.50").pin("t", "id", new BigDecimal("1.50")),
                pins("SELECT * FROM t WHERE code = 'a''b'").pin("t", "code", "a'b"),
                pins("SELECT * FROM sales.orders o WHERE o.id = ?").pin("sales.orders", "id", bind(1)),
                pins("SELECT * FROM sales.orders WHERE orders.id = ?").pin("sales.orders", "id", bind(1)),
                pins("SELECT * FROM sales.orders WHERE sales.orders.id = ?").pin("sales.orders", "id", bind(1)),
                // the index of each marker, wherever the others are
                pins("SELECT coalesce(a, ?) FROM t WHERE id = ?").pin("t", "id", bind(2)),
                pins("SELECT * FROM t WHERE x = ? AND id IN (?, ?) AND y = ?")
                        .pin("t", "id", bind(2), bind(3)).pin("t", "x", bind(1)).pin("t", "y", bind(4)),
                pins("SELECT * FROM t WHERE a > ? AND id = ? LIMIT 5").pin("t", "id", bind(2)),
                pins("SELECT * FROM t WHERE name = '?' AND /* ? */ id = ? -- ?\n").pin("t", "id", bind(1)).pin("t", "name", "?"),
                // joins: qualified columns belong to their table, the other tables stay table-level
                pins("SELECT * FROM a JOIN b ON a.id = b.a_id WHERE a.id = ? AND b.x = 3")
                        .pin("a", "id", bind(1)).pin("b", "x", 3),
                pins("SELECT * FROM a, b WHERE a.id = 1 AND a.x = b.x").pin("a", "id", 1),
                pins("SELECT * FROM a LEFT JOIN b ON a.id = b.a_id WHERE b.id = 2").pin("b", "id", 2),
                pins("SELECT * FROM a x JOIN b y ON x.id = y.a_id WHERE y.id = ?").pin("b", "id", bind(1)),
                none("SELECT * FROM a JOIN b ON a.id = b.a_id WHERE id = ?"),
                none("SELECT * FROM a, b WHERE id = 1"),
                none("SELECT * FROM a JOIN b USING (id) WHERE id = 1"),
                none("SELECT * FROM a NATURAL JOIN b WHERE id = 1"),
                none("SELECT * FROM a x WHERE a.id = 1"),
                // subqueries, derived tables, UNION branches and CTE bodies are blocks of their own
                pins("SELECT * FROM a WHERE a.x IN (SELECT b.y FROM b WHERE b.id = ?)").pin("b", "id", bind(1)),
                pins("SELECT * FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id AND b.id = 5)").pin("b", "id", 5),
                pins("SELECT * FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE id = 5)").pin("b", "id", 5),
                pins("SELECT a.x, (SELECT max(y) FROM b WHERE b.id = 3) FROM a WHERE a.id = 4").pin("a", "id", 4).pin("b", "id", 3),
                pins("SELECT * FROM (SELECT * FROM t WHERE id = 1) d WHERE d.id = 3").pin("t", "id", 1),
                pins("SELECT id FROM a WHERE id = 1 UNION SELECT id FROM b WHERE id = ?").pin("a", "id", 1).pin("b", "id", bind(1)),
                pins("SELECT id FROM a WHERE id = 1 UNION ALL SELECT id FROM b UNION SELECT id FROM c WHERE id = 2")
                        .pin("a", "id", 1).pin("c", "id", 2),
                pins("WITH c AS (SELECT * FROM t WHERE id = ?) SELECT * FROM c WHERE c.x = 1").pin("t", "id", bind(1)),
                pins("WITH t AS (SELECT * FROM u WHERE id = 1) SELECT * FROM t WHERE id = 2").pin("u", "id", 1),
                // a column of an outer query pins nothing: NOT EXISTS would keep the other rows
                none("SELECT * FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE a.id = 5)"),
                none("SELECT * FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.x = a.x) AND a.x = b.y"),
                // a table named more than once anywhere
                none("SELECT * FROM t t1 JOIN t t2 ON t1.parent = t2.id WHERE t1.id = 1"),
                none("SELECT * FROM t WHERE id = 1 AND x IN (SELECT x FROM t WHERE y = 2)"),
                none("SELECT id FROM t WHERE id = 1 UNION SELECT id FROM t WHERE id = 2"),
                none("SELECT * FROM sales.t JOIN t ON sales.t.x = t.x WHERE sales.t.id = 1 AND t.id = 2"),
                none("WITH c AS (SELECT * FROM t WHERE id = 1) SELECT * FROM c JOIN t ON c.x = t.x"),
                // a CTE named like a table it reads
                none("WITH t AS (SELECT * FROM t WHERE id = 1) SELECT * FROM t WHERE id = 2"),
                // no equality with a literal or a marker
                none("SELECT * FROM t WHERE id = 1 OR id = 2"),
                none("SELECT * FROM t WHERE id = 1 OR (id = 2 AND x = 3)"),
                none("SELECT * FROM t WHERE NOT (id = 1)"),
                none("SELECT * FROM t WHERE id <> 1"),
                none("SELECT * FROM t WHERE id > 1 AND id < 3"),
                none("SELECT * FROM t WHERE id BETWEEN 1 AND 1"),
                none("SELECT * FROM t WHERE id NOT IN (1, 2)"),
                none("SELECT * FROM t WHERE id IN (SELECT id FROM u)"),
                none("SELECT * FROM t WHERE id = (SELECT max(id) FROM u)"),
                none("SELECT * FROM t WHERE id = x"),
                none("SELECT * FROM t WHERE id IS NULL"),
                none("SELECT * FROM t WHERE id = NULL"),
                none("SELECT * FROM t WHERE id IN (1, NULL)"),
                none("SELECT * FROM t WHERE id IN (1, x)"),
                none("SELECT * FROM t WHERE id LIKE 'a%'"),
                none("SELECT * FROM t WHERE abs(id) = 1"),
                none("SELECT * FROM t WHERE lower(code) = 'a'"),
                none("SELECT * FROM t WHERE id = abs(?)"),
                none("SELECT * FROM t WHERE id + 0 = 1"),
                none("SELECT * FROM t WHERE id = 1 + 1"),
                none("SELECT * FROM t WHERE id = CAST(? AS INT)"),
                none("SELECT * FROM t WHERE CAST(id AS CHAR(5)) = '1'"),
                none("SELECT * FROM t WHERE id = -?"),
                none("SELECT * FROM t WHERE (id = 1) = TRUE"),
                none("SELECT * FROM t WHERE CASE WHEN id = 1 THEN 1 ELSE 0 END = 1"),
                // the same column pinned twice
                none("SELECT * FROM t WHERE id = 1 AND id = ?"),
                none("SELECT * FROM t WHERE id = 1 AND id IN (1, 2)"),
                pins("SELECT * FROM t WHERE id = 1 AND id = 2 AND x = 3").pin("t", "x", 3),
                // not cacheable: nothing to pin
                none("SELECT * FROM t WHERE id = 1 FOR UPDATE"),
                none("SELECT * FROM t WHERE id = 1 AND ts < CURRENT_TIMESTAMP"),
                none("SELECT my_func(a) FROM t WHERE id = 1"),
                // two statements
                none("SELECT * FROM t WHERE id = 1; SELECT * FROM u WHERE id = 2"),

                // writes: the target only, by its WHERE
                pins("UPDATE t SET a = ? WHERE id = ?").pin("t", "id", bind(2)).assigned("a"),
                pins("UPDATE t SET a = 1, b = ? WHERE id IN (1, 2) AND version = 3")
                        .pin("t", "id", 1, 2).pin("t", "version", 3).assigned("a", "b"),
                pins("UPDATE t SET id = ? WHERE id = ?").pin("t", "id", bind(2)).assigned("id"),
                pins("UPDATE t SET a = 1 WHERE email = 'x'").pin("t", "email", "x").assigned("a"),
                pins("UPDATE t SET a = (SELECT max(b) FROM u WHERE u.id = 3) WHERE id = 1").pin("t", "id", 1).assigned("a"),
                pins("UPDATE t SET a = 1 WHERE id = 1 AND x IN (SELECT x FROM u WHERE u.id = 2)").pin("t", "id", 1).assigned("a"),
                pins("UPDATE t x SET a = 1 WHERE x.id = ?").pin("t", "id", bind(1)).assigned("a"),
                none("UPDATE t SET a = 1").assigned("a"),
                none("UPDATE t SET a = 1 WHERE id = 1 OR id = 2").assigned("a"),
                none("UPDATE t SET a = (SELECT max(b) FROM t) WHERE id = 1").assigned("a"),
                none("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE b = 2)").assigned("a"),
                none("UPDATE t SET a = my_func(1) WHERE id = 1").assigned("a"),
                pins("DELETE FROM t WHERE id = ?").pin("t", "id", bind(1)),
                pins("DELETE FROM t WHERE id IN (?, ?) AND owner = ?").pin("t", "id", bind(1), bind(2)).pin("t", "owner", bind(3)),
                none("DELETE FROM t"),
                none("DELETE FROM t WHERE id = ? OR id = ?"),
                none("DELETE FROM t WHERE id IN (SELECT id FROM u)"),
                none("DELETE FROM t WHERE id = 1 AND EXISTS (SELECT 1 FROM t WHERE x = 2)"),
                // INSERT ... VALUES with a column list: the values each column receives
                pins("INSERT INTO t (id, name) VALUES (?, ?)").pin("t", "id", bind(1)).pin("t", "name", bind(2)),
                pins("INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')").pin("t", "id", 1, 2).pin("t", "name", "a", "b"),
                pins("INSERT INTO t (id, name) VALUES (?, lower(?))").pin("t", "id", bind(1)),
                pins("INSERT INTO t (id, name) VALUES (DEFAULT, 'a')").pin("t", "name", "a"),
                pins("INSERT INTO t (id, name) VALUES (NULL, 'a'), (2, 'b')").pin("t", "name", "a", "b"),
                pins("INSERT INTO t (id) VALUES (1), (?)").pin("t", "id", 1, bind(1)),
                none("INSERT INTO t VALUES (1, 'a')"),
                none("INSERT INTO t (id) SELECT id FROM u WHERE u.id = 1"),
                none("INSERT INTO t (id) VALUES ((SELECT max(id) FROM t))"),
                // assigned columns without pins, and no pins for the rest
                none("TRUNCATE TABLE t"),
                none("CREATE TABLE t2 (id INT)"));
    }

    static List<ExpectPins> postgres() {
        return List.of(
                pins("SELECT * FROM t WHERE id = ANY(?)").pin("t", "id", array(1)),
                pins("SELECT * FROM t WHERE id = any (?) AND x = ?").pin("t", "id", array(1)).pin("t", "x", bind(2)),
                pins("SELECT * FROM t WHERE ? = x AND id = SOME(?)").pin("t", "id", array(2)).pin("t", "x", bind(1)),
                pins("SELECT * FROM t WHERE id = ANY(ARRAY[1, ?])").pin("t", "id", 1, bind(1)),
                none("SELECT * FROM t WHERE id <> ALL(?)"),
                none("SELECT * FROM t WHERE id = ALL(?)"),
                none("SELECT * FROM t WHERE id = ANY(?::int[])"),
                none("SELECT * FROM t WHERE id = ANY('{1,2}')"),
                none("SELECT * FROM t WHERE id = ANY(SELECT id FROM u)"),
                none("SELECT * FROM t WHERE id IN (?) AND x = ANY(ARRAY[?, ?]) OR y = 1"),
                none("SELECT * FROM t WHERE id = ?::int"),
                none("SELECT * FROM t WHERE id = '5'::int"),
                none("SELECT * FROM t WHERE id::text = ?"),
                none("SELECT * FROM t WHERE id IS NOT DISTINCT FROM ?"),
                none("SELECT * FROM t WHERE id = $1"),
                pins("SELECT * FROM public.t WHERE t.id = 1").pin("public.t", "id", 1),
                pins("SELECT * FROM \"Public\".\"T\" WHERE \"T\".\"ID\" = 1").pin("public.t", "id", 1),
                // ? inside literals, identifiers, comments and dollar quotes is no marker; :: is a cast
                pins("SELECT a::text, '?', \"?\" FROM t WHERE b = $$?$$ AND c = $x$ ? $x$ AND id = ? /* ? */ -- ?")
                        .pin("t", "b", "?").pin("t", "c", " ? ").pin("t", "id", bind(1)),
                pins("SELECT * FROM t WHERE x = E'it\\'s ?' AND id = ?").pin("t", "id", bind(1)).pin("t", "x", "it's ?"),
                // where pgjdbc may count markers differently, nothing is numbered
                none("SELECT * FROM t WHERE x = 'a\\b' AND id = ?"),
                none("SELECT * FROM t WHERE id = ? /* a /* b */ c */"),
                pins("SELECT * FROM t JOIN LATERAL (SELECT * FROM u WHERE u.x = t.x) l ON true WHERE t.id = 1").pin("t", "id", 1),
                none("SELECT * FROM t x(a, b) WHERE a = 1"),
                none("SELECT * FROM unnest(?) u WHERE u = 1"),
                none("SELECT * FROM t, generate_series(1, 3) g WHERE id = 1"),
                pins("UPDATE t SET name = ? WHERE id = ? RETURNING *").pin("t", "id", bind(2)).assigned("name"),
                pins("UPDATE t SET (a, b) = (1, 2) WHERE id = 1").pin("t", "id", 1).assigned("a", "b"),
                none("UPDATE t SET a = u.b FROM u WHERE t.id = u.id AND t.id = 1").assigned("a"),
                none("DELETE FROM t USING u WHERE t.id = u.id AND t.id = 1"),
                pins("DELETE FROM t WHERE id = ANY(?) RETURNING id").pin("t", "id", array(1)),
                pins("INSERT INTO t (id, a) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET a = excluded.a")
                        .pin("t", "a", bind(2)).pin("t", "id", bind(1)).assigned("a").upsert(),
                pins("INSERT INTO t (id) VALUES (1) ON CONFLICT DO NOTHING").pin("t", "id", 1).upsert(),
                pins("INSERT INTO t (id, a) VALUES (?, ?) RETURNING id").pin("t", "a", bind(2)).pin("t", "id", bind(1)),
                none("MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = 1").upsert(),
                none("WITH x AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM x"),
                none("WITH x AS (UPDATE t SET a = 1 WHERE id = 1 RETURNING *) SELECT * FROM x"),
                none("EXPLAIN ANALYZE UPDATE t SET a = 1 WHERE id = 1").assigned("a"));
    }

    static List<ExpectPins> mysql() {
        return List.of(
                pins("SELECT * FROM `t` WHERE `t`.`id` = ?").pin("t", "id", bind(1)),
                pins("SELECT * FROM `Order Items` oi WHERE oi.`id` = 3").pin("order items", "id", 3),
                pins("SELECT * FROM t WHERE id = ? LIMIT ?, ?").pin("t", "id", bind(1)),
                pins("SELECT * FROM t WHERE a = '?' AND `?` = 1 AND id = ? # ?\n").pin("t", "?", 1).pin("t", "a", "?").pin("t", "id", bind(1)),
                pins("UPDATE t SET a = ? WHERE id = ? LIMIT 1").pin("t", "id", bind(2)).assigned("a"),
                pins("UPDATE t SET t.a = ? WHERE t.id = ?").pin("t", "id", bind(2)).assigned("a"),
                pins("DELETE FROM t WHERE id = ? ORDER BY id LIMIT 1").pin("t", "id", bind(1)),
                none("DELETE t FROM t JOIN u ON t.a = u.a WHERE t.id = 1"),
                none("UPDATE t JOIN u ON t.a = u.a SET t.b = 1 WHERE t.id = 1").assigned("b"),
                pins("INSERT INTO t (id, a) VALUES (?, 2) ON DUPLICATE KEY UPDATE a = VALUES(a)")
                        .pin("t", "a", 2).pin("t", "id", bind(1)).assigned("a").upsert(),
                pins("INSERT INTO t SET id = 1, a = ?").pin("t", "a", bind(1)).pin("t", "id", 1),
                none("REPLACE INTO t (id) VALUES (1)").upsert(),
                none("REPLACE INTO t SET id = 1").upsert(),
                pins("INSERT IGNORE INTO t (id, a) VALUES (?, 2)").pin("t", "a", 2).pin("t", "id", bind(1)),
                pins("UPDATE IGNORE t SET a = ? WHERE id = ?").pin("t", "id", bind(2)).assigned("a"),
                none("INSERT INTO t PARTITION (p1) (id) VALUES (1)"),
                // MySQL needs a space after --: 1--1 is arithmetic to the server, maybe a comment to a driver
                none("SELECT * FROM t WHERE id = ? AND b = 1--1"),
                // a backslash escape is read as MySQL reads it: the pin holds the value, not the spelling
                pins("SELECT * FROM t WHERE a = 'O\\'Brien' AND id = ?").pin("t", "a", "O'Brien").pin("t", "id", bind(1)),
                pins("SELECT * FROM t WHERE a = 'a\\\\?' AND id = ?").pin("t", "a", "a\\?").pin("t", "id", bind(1)));
    }

    static List<ExpectPins> h2() {
        return List.of(
                pins("SELECT * FROM \"PUBLIC\".\"T\" WHERE \"ID\" = ?").pin("public.t", "id", bind(1)),
                pins("SELECT * FROM t WHERE id = ANY(?)").pin("t", "id", array(1)),
                none("SELECT * FROM t WHERE id = ?1"),
                none("SELECT * FROM t WHERE id = ? // ?\n"),
                none("MERGE INTO t KEY (id) VALUES (1, 2)").upsert(),
                none("MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = 1").upsert());
    }

    /** SQL as Hibernate 6/7, MyBatis mappers and jOOQ generate it. */
    static List<ExpectPins> frameworks() {
        return List.of(
                pins("select p1_0.id,p1_0.birth_date,p1_0.name,p1_0.owner_id,p1_0.type_id from pets p1_0 where p1_0.id=?")
                        .pin("pets", "id", bind(1)),
                pins("select o1_0.id,p1_0.owner_id,p1_0.id,p1_0.name from owners o1_0 left join pets p1_0 "
                        + "on o1_0.id=p1_0.owner_id where o1_0.id=?").pin("owners", "id", bind(1)),
                // Hibernate's batch fetch: one array for every id of the batch
                pins("select o1_0.owner_id,o1_0.id,o1_0.birth_date,o1_0.name,o1_0.type_id from pets o1_0 "
                        + "where o1_0.owner_id = any (?)").pin("pets", "owner_id", array(1)),
                pins("update pets set name=?,version=? where id=? and version=?")
                        .pin("pets", "id", bind(3)).pin("pets", "version", bind(4)).assigned("name", "version"),
                pins("delete from visits where id=?").pin("visits", "id", bind(1)),
                pins("insert into owners (address,city,first_name,last_name,telephone,id) values (?,?,?,?,?,default)")
                        .pin("owners", "address", bind(1)).pin("owners", "city", bind(2)).pin("owners", "first_name", bind(3))
                        .pin("owners", "last_name", bind(4)).pin("owners", "telephone", bind(5)),
                pins("select v1_0.pet_id,v1_0.id,v1_0.visit_date,v1_0.description from visits v1_0 where v1_0.pet_id in (?,?,?)")
                        .pin("visits", "pet_id", bind(1), bind(2), bind(3)),
                none("select o1_0.id,o1_0.last_name from owners o1_0 where o1_0.last_name like ? escape '\\' "
                        + "order by o1_0.id offset ? rows fetch first ? rows only"),
                // MyBatis: the mapper's text with its whitespace
                pins("SELECT id, name, email\n  FROM users\n WHERE id = ?\n").pin("users", "id", bind(1)),
                pins("UPDATE users\n   SET name = ?,\n       email = ?\n WHERE id = ?").pin("users", "id", bind(3))
                        .assigned("name", "email"),
                pins("SELECT * FROM orders WHERE user_id IN\n ( ? , ? , ? )\n AND status = ?")
                        .pin("orders", "status", bind(4)).pin("orders", "user_id", bind(1), bind(2), bind(3)),
                // jOOQ, rendered for each dialect
                pins("select \"public\".\"author\".\"id\", \"public\".\"author\".\"first_name\" from \"public\".\"author\" "
                        + "where \"public\".\"author\".\"id\" = ?").pin("public.author", "id", bind(1)),
                pins("update \"public\".\"author\" set \"first_name\" = ? where \"public\".\"author\".\"id\" in (?, ?)")
                        .pin("public.author", "id", bind(2), bind(3)).assigned("first_name"),
                pins("delete from \"public\".\"author\" where \"public\".\"author\".\"id\" = ?").pin("public.author", "id", bind(1)));
    }

    static List<ExpectPins> jooqForMySql() {
        return List.of(
                pins("select `author`.`id`, `author`.`first_name` from `author` where `author`.`id` = ?").pin("author", "id", bind(1)),
                pins("select `library`.`author`.`id` from `library`.`author` where `library`.`author`.`id` = ?")
                        .pin("library.author", "id", bind(1)));
    }

    static List<ExpectPins> jooqForH2() {
        return List.of(
                pins("select \"PUBLIC\".\"AUTHOR\".\"ID\" from \"PUBLIC\".\"AUTHOR\" where \"PUBLIC\".\"AUTHOR\".\"ID\" = ?")
                        .pin("public.author", "id", bind(1)));
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (DatabaseFamily family : List.of(DatabaseFamily.H2, DatabaseFamily.POSTGRES, DatabaseFamily.MYSQL, DatabaseFamily.MARIADB)) {
            portable().forEach(e -> cases.add(Arguments.of(family, e)));
        }
        postgres().forEach(e -> cases.add(Arguments.of(DatabaseFamily.POSTGRES, e)));
        frameworks().forEach(e -> cases.add(Arguments.of(DatabaseFamily.POSTGRES, e)));
        frameworks().forEach(e -> cases.add(Arguments.of(DatabaseFamily.H2, e)));
        for (DatabaseFamily family : List.of(DatabaseFamily.MYSQL, DatabaseFamily.MARIADB)) {
            mysql().forEach(e -> cases.add(Arguments.of(family, e)));
            jooqForMySql().forEach(e -> cases.add(Arguments.of(family, e)));
        }
        h2().forEach(e -> cases.add(Arguments.of(DatabaseFamily.H2, e)));
        jooqForH2().forEach(e -> cases.add(Arguments.of(DatabaseFamily.H2, e)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void keyPins(DatabaseFamily family, ExpectPins expect) {
        expect.check(ANALYZERS.get(family));
    }

    @Test
    void aDialectNobodyKnowsPinsNothing() {
        QueryAnalysis a = ANALYZERS.get(DatabaseFamily.OTHER).analyze("SELECT * FROM t WHERE id = 1");
        assertTrue(a.cacheable());
        assertEquals(Map.of(), a.keyPins());
    }

    @Test
    void anInListPinsUpToAThousandValues() {
        QueryAnalyzer analyzer = ANALYZERS.get(DatabaseFamily.POSTGRES);
        assertEquals(1_000, analyzer.analyze(inList(1_000, "?")).keyPins().get("t").get(0).values().size());
        assertEquals(1_000, analyzer.analyze(inList(1_000, "7")).keyPins().get("t").get(0).values().size());
        assertEquals(Map.of(), analyzer.analyze(inList(1_001, "?")).keyPins());
        assertEquals(Map.of(), analyzer.analyze(inList(10_000, "?")).keyPins());
        List<KeySource> binds = analyzer.analyze(inList(1_000, "?")).keyPins().get("t").get(0).values();
        for (int i = 0; i < binds.size(); i++) {
            assertEquals(new KeySource.Bind(i + 1), binds.get(i));
        }
    }

    private static String inList(int items, String item) {
        StringJoiner list = new StringJoiner(", ", "SELECT * FROM t WHERE id IN (", ")");
        for (int i = 0; i < items; i++) {
            list.add(item);
        }
        return list.toString();
    }

    @Test
    void everyConjunctOfALongAndChainPins() {
        StringBuilder sql = new StringBuilder("SELECT * FROM t WHERE id = ?");
        for (int i = 0; i < 1_000; i++) {
            sql.append(" AND c").append(i).append(" = ").append(i);
        }
        Map<String, List<ColumnPin>> pins = ANALYZERS.get(DatabaseFamily.POSTGRES).analyze(sql.toString()).keyPins();
        assertEquals(1_001, pins.get("t").size());
        assertTrue(pins.get("t").contains(new ColumnPin("id", List.of(new KeySource.Bind(1)))));
        assertTrue(pins.get("t").contains(new ColumnPin("c999", List.of(new KeySource.Literal(999L)))));
    }

    @Test
    void pinsAreComputedOncePerText() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.POSTGRES, 10);
        QueryAnalysis first = analyzer.analyze("SELECT * FROM t WHERE id = ?");
        assertTrue(first == analyzer.analyze("SELECT * FROM t WHERE id = ?"), "the cached analysis carries its pins");
        assertEquals(1, analyzer.analysisCount());
    }
}
