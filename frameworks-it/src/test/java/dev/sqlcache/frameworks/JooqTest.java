package dev.sqlcache.frameworks;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.unquotedName;
import static org.jooq.impl.DSL.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.frameworks.Support.Db;
import dev.sqlcache.stats.CacheStatistics;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** jOOQ's DSL (rendered, bound, with RETURNING / generated keys) and plain SQL, on all three databases. */
@Timeout(60)
class JooqTest {

    private static final Table<Record> AUTHOR = table(unquotedName("fw_jooq_author"));
    private static final Table<Record> BOOK = table(unquotedName("fw_jooq_book"));
    private static final Field<Integer> AUTHOR_ID = field(unquotedName("fw_jooq_author", "id"), Integer.class);
    private static final Field<String> AUTHOR_NAME = field(unquotedName("fw_jooq_author", "name"), String.class);
    private static final Field<Integer> BOOK_ID = field(unquotedName("fw_jooq_book", "id"), Integer.class);
    private static final Field<Integer> BOOK_AUTHOR = field(unquotedName("fw_jooq_book", "author_id"), Integer.class);
    private static final Field<String> BOOK_TITLE = field(unquotedName("fw_jooq_book", "title"), String.class);
    private static final Field<Integer> BOOK_YEAR = field(unquotedName("fw_jooq_book", "published"), Integer.class);

    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"H2", "POSTGRES", "MARIADB"})
    void dslAndPlainSql(Db db) throws Exception {
        db.require();
        List<String> real = scenario(db, db.realUrl("fw_jooq_real"), false);
        List<String> cached = scenario(db, db.realUrl("fw_jooq_cached"), true);
        assertEquals(String.join("\n", real), String.join("\n", cached));
    }

    private static Field<Object> column(String name) {
        return field(unquotedName(name));
    }

    private static SQLDialect dialect(Db db) {
        return switch (db) {
            case H2 -> SQLDialect.H2;
            case POSTGRES -> SQLDialect.POSTGRES;
            case MARIADB -> SQLDialect.MARIADB;
            case HSQLDB -> SQLDialect.HSQLDB;
            case DERBY -> SQLDialect.DERBY;
            case SQLITE -> SQLDialect.SQLITE;
        };
    }

    private static List<String> scenario(Db db, String realUrl, boolean viaSqlcache) throws Exception {
        Support.drop(db, realUrl, List.of("fw_jooq_book", "fw_jooq_author"), List.of());
        String url = viaSqlcache ? Support.sqlcacheUrl(realUrl) : realUrl;
        List<String> seen = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, db.user(), db.password())) {
            CacheStatistics before = viaSqlcache ? Support.statistics(c) : null;
            DSLContext ctx = DSL.using(c, dialect(db));
            ctx.createTable(AUTHOR)
                    .column(column("id"), SQLDataType.INTEGER.identity(true))
                    .column(column("name"), SQLDataType.VARCHAR(40).nullable(false))
                    .primaryKey(column("id"))
                    .execute();
            ctx.createTable(BOOK)
                    .column(column("id"), SQLDataType.INTEGER.identity(true))
                    .column(column("author_id"), SQLDataType.INTEGER.nullable(false))
                    .column(column("title"), SQLDataType.VARCHAR(80))
                    .column(column("published"), SQLDataType.INTEGER)
                    .primaryKey(column("id"))
                    .execute();

            // INSERT ... RETURNING (PostgreSQL, H2) or generated keys (MariaDB): jOOQ picks, the driver must answer
            for (String author : List.of("Le Guin", "Lem", "Tolkien")) {
                Record key = ctx.insertInto(AUTHOR).set(AUTHOR_NAME, author).returning(AUTHOR_ID).fetchOne();
                int id = key.get(AUTHOR_ID);
                seen.add("author " + author + " id " + id);
                for (int i = 1; i <= 4; i++) {
                    ctx.insertInto(BOOK).columns(BOOK_AUTHOR, BOOK_TITLE, BOOK_YEAR)
                            .values(id, author + " book " + i, 1950 + id * 7 + i).execute();
                }
            }
            seen.add("batch " + java.util.Arrays.toString(ctx.batch(
                    ctx.insertInto(BOOK).columns(BOOK_AUTHOR, BOOK_TITLE, BOOK_YEAR).values((Integer) null, null, null))
                    .bind(1, "Lem extra 1", 1990).bind(1, "Lem extra 2", 1991).execute()));

            for (int round = 0; round < 3; round++) {
                seen.addAll(reads(ctx));
            }
            seen.add("updated " + ctx.update(BOOK).set(BOOK_YEAR, BOOK_YEAR.plus(100))
                    .where(BOOK_AUTHOR.eq(2)).execute());
            seen.add("plain update " + ctx.execute("update fw_jooq_book set title = upper(title) where published > ?",
                    2000));
            seen.addAll(reads(ctx));
            seen.add("deleted " + ctx.deleteFrom(BOOK).where(BOOK_TITLE.like("%extra%")).execute());
            seen.addAll(reads(ctx));
            if (viaSqlcache) {
                CacheStatistics delta = Support.statistics(c).since(before);
                assertTrue(delta.hits() >= 8, "jOOQ's reads were served from the cache: " + delta);
            }
        }
        return seen;
    }

    private static List<String> reads(DSLContext ctx) {
        List<String> seen = new ArrayList<>();
        ctx.select(AUTHOR_NAME, count().as("books"), DSL.max(BOOK_YEAR).as("latest"))
                .from(AUTHOR).join(BOOK).on(BOOK_AUTHOR.eq(AUTHOR_ID))
                .groupBy(AUTHOR_NAME).orderBy(AUTHOR_NAME)
                .fetch().forEach(r -> seen.add("dsl " + r.get(0) + " " + r.get(1) + " " + r.get(2)));
        seen.add("page " + ctx.select(BOOK_ID, BOOK_TITLE).from(BOOK).where(BOOK_YEAR.gt(1960))
                .orderBy(BOOK_YEAR.desc(), BOOK_ID).limit(4).offset(2).fetch(r -> r.get(BOOK_ID) + ":" + r.get(BOOK_TITLE)));
        seen.add("fetchOne " + ctx.selectCount().from(BOOK).where(BOOK_TITLE.like("L%")).fetchOne(0, Integer.class));
        seen.add("plain " + ctx.fetch("select title, published from fw_jooq_book where author_id = ? order by id", 1)
                .map(r -> r.get(0) + "/" + r.get(1)));
        seen.add("plain lazy " + ctx.resultQuery("select id from fw_jooq_book where published between ? and ? order by id",
                1960, 2100).fetchSize(2).fetch().getValues(0, Integer.class));
        return seen;
    }
}
