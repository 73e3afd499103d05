package dev.sqlcache.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.frameworks.HibernateTest.Customer;
import dev.sqlcache.frameworks.HibernateTest.PurchaseOrder;
import dev.sqlcache.frameworks.Support.Db;
import dev.sqlcache.stats.CacheStatistics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.Hibernate;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hibernate's batch fetch on PostgreSQL ({@code where c1_0.id = any (?)}, one array parameter) is cached, and a write
 * to one of the rows it fetched invalidates it: the next page shows the new value, read from the database, while
 * the order list, which that write did not change, stays a hit.
 */
@Timeout(90)
class BatchFetchInvalidationTest {

    @Test
    void aWriteToOneFetchedRowInvalidatesTheBatchFetch() throws Exception {
        Db db = Db.POSTGRES;
        db.require();
        String realUrl = db.realUrl("fw_hib_batch");
        Support.drop(db, realUrl, List.of("fw_hib_order", "fw_hib_customer"), List.of("fw_hib_order_seq"));
        try (SessionFactory sf = sessionFactory(db, Support.sqlcacheUrl(realUrl))) {
            long brian = sf.fromTransaction(session -> {
                long id = 0;
                for (String name : List.of("Ada", "Brian", "Carla")) {
                    Customer customer = new Customer(name);
                    session.persist(customer);
                    session.persist(new PurchaseOrder(customer, new BigDecimal("1.50"), "OPEN"));
                    if (name.equals("Brian")) {
                        id = customer.id;
                    }
                }
                return id;
            });
            page(sf);
            CacheStatistics warm = stats(sf);
            assertEquals(List.of("Ada", "Brian", "Carla"), page(sf));
            CacheStatistics second = stats(sf).since(warm);
            assertEquals(0, second.misses(), "the second page is served from the cache: " + second);
            assertEquals(2, second.hits(), "the order list and the batch fetch of their customers: " + second);

            sf.inTransaction(session -> session.find(Customer.class, brian).name = "Bruno");
            CacheStatistics beforeThird = stats(sf);
            assertEquals(List.of("Ada", "Bruno", "Carla"), page(sf), "the write is seen");
            CacheStatistics third = stats(sf).since(beforeThird);
            assertEquals(1, third.hits(), "the order list stays cached: " + third);
            assertEquals(1, third.misses(), "the batch fetch of the written row is read again: " + third);
            assertTrue(third.bypasses().values().stream().mapToLong(Long::longValue).sum() == 0, third.toString());
        }
    }

    /** The orders, each with its customer's name: initialising one lazy customer batch-fetches the others. */
    private static List<String> page(SessionFactory sf) {
        return sf.fromSession(s -> {
            List<String> names = new ArrayList<>();
            for (PurchaseOrder o : s.createSelectionQuery("from PurchaseOrder o order by o.id", PurchaseOrder.class)
                    .getResultList()) {
                names.add(Hibernate.unproxy(o.customer, Customer.class).name);
            }
            return names;
        });
    }

    private static CacheStatistics stats(SessionFactory sf) {
        return sf.fromSession(s -> s.doReturningWork(Support::statistics));
    }

    private static SessionFactory sessionFactory(Db db, String url) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(AvailableSettings.JAKARTA_JDBC_URL, url);
        settings.put(AvailableSettings.JAKARTA_JDBC_USER, db.user());
        settings.put(AvailableSettings.JAKARTA_JDBC_PASSWORD, db.password());
        settings.put(AvailableSettings.JAKARTA_JDBC_DRIVER, Support.SQLCACHE_DRIVER);
        settings.put(AvailableSettings.POOL_SIZE, "2");
        settings.put(AvailableSettings.HBM2DDL_AUTO, "create");
        settings.put(AvailableSettings.DEFAULT_BATCH_FETCH_SIZE, "16");
        return new MetadataSources(new StandardServiceRegistryBuilder().applySettings(settings).build())
                .addAnnotatedClass(Customer.class)
                .addAnnotatedClass(PurchaseOrder.class)
                .buildMetadata()
                .buildSessionFactory();
    }
}
