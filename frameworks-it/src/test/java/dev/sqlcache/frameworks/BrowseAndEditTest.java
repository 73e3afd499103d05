package dev.sqlcache.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.frameworks.Support.Db;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A browse-and-edit session as a Spring Data JPA application runs it (the PetClinic shape): every repository read
 * in a {@code readOnly} transaction of Spring's {@link JpaTransactionManager} at the database's default isolation
 * (REPEATABLE READ on MariaDB, READ COMMITTED on PostgreSQL), every edit in a read-write one. It reports hits,
 * misses and bypasses by reason, checks that every page shows what the database holds, and on MariaDB that at
 * least half of the session's reads are served from the cache once the pages have been seen.
 */
@Timeout(120)
class BrowseAndEditTest {

    @Entity(name = "Owner")
    @Table(name = "fw_be_owner")
    public static class Owner {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;
        @Column(name = "first_name", length = 30)
        String firstName;
        @Column(name = "last_name", length = 30)
        String lastName;
        @Column(length = 20)
        String telephone;
        @OneToMany(mappedBy = "owner")
        @OrderBy("name")
        List<Pet> pets = new ArrayList<>();
        @Version
        int version;

        public Owner() {
        }

        Owner(String firstName, String lastName, String telephone) {
            this.firstName = firstName;
            this.lastName = lastName;
            this.telephone = telephone;
        }
    }

    @Entity(name = "Pet")
    @Table(name = "fw_be_pet")
    public static class Pet {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;
        @Column(length = 30)
        String name;
        @ManyToOne(fetch = FetchType.LAZY)
        @JoinColumn(name = "owner_id")
        Owner owner;
        @OneToMany(mappedBy = "pet")
        @OrderBy("id")
        List<Visit> visits = new ArrayList<>();

        public Pet() {
        }

        Pet(String name, Owner owner) {
            this.name = name;
            this.owner = owner;
        }
    }

    @Entity(name = "Visit")
    @Table(name = "fw_be_visit")
    public static class Visit {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;
        @ManyToOne(fetch = FetchType.LAZY)
        @JoinColumn(name = "pet_id")
        Pet pet;
        @Column(length = 60)
        String description;

        public Visit() {
        }

        Visit(Pet pet, String description) {
            this.pet = pet;
            this.description = description;
        }
    }

    private static final List<String> TABLES = List.of("fw_be_visit", "fw_be_pet", "fw_be_owner");
    private static final String[] LAST_NAMES = {"Davis", "Franklin", "Escobito", "Black", "Coleman", "Schroeder"};

    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"POSTGRES", "MARIADB"})
    void aBrowseAndEditSessionIsServedFromTheCache(Db db) throws Exception {
        db.require();
        String realUrl = db.realUrl("fw_be");
        Support.drop(db, realUrl, TABLES, List.of());
        try (SessionFactory sf = Support.sessionFactory(db, Support.sqlcacheUrl(realUrl),
                Map.of(AvailableSettings.DEFAULT_BATCH_FETCH_SIZE, "16"), Owner.class, Pet.class, Visit.class)) {
            TransactionTemplate write = new TransactionTemplate(new JpaTransactionManager(sf));
            TransactionTemplate read = new TransactionTemplate(new JpaTransactionManager(sf));
            read.setReadOnly(true);
            EntityManager em = SharedEntityManagerCreator.createSharedEntityManager(sf);
            List<Long> owners = write.execute(status -> seed(em));

            CacheStatistics before = Support.statistics(sf);
            int reads = 0;
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < owners.size(); i++) {
                    long id = owners.get(i);
                    String prefix = LAST_NAMES[i].substring(0, 2);
                    // The owner search, the owner's page with pets and visits, then an edit every third page.
                    List<String> found = read.execute(status -> em.createQuery(
                                    "select o from Owner o where o.lastName like :name escape '\\' order by o.id",
                                    Owner.class).setParameter("name", prefix + "%").getResultList()
                            .stream().map(o -> o.lastName).toList());
                    assertTrue(found.contains(LAST_NAMES[i]), found.toString());
                    String page = read.execute(status -> page(em, id));
                    assertEquals(directPage(db, realUrl, id), page, "the page shows what the database holds");
                    if ((round * owners.size() + i) % 3 == 2) {
                        String phone = "555" + round + i;
                        write.executeWithoutResult(status -> em.find(Owner.class, id).telephone = phone);
                        String after = read.execute(status -> em.find(Owner.class, id).telephone);
                        assertEquals(phone, after, "the edit shows on the next page");
                    }
                }
            }
            CacheStatistics session = Support.statistics(sf).since(before);
            long served = session.hits();
            long all = session.hits() + session.misses() + totalBypasses(session);
            Map<BypassReason, Long> bypasses = new EnumMap<>(BypassReason.class);
            for (BypassReason reason : BypassReason.values()) {
                if (session.bypasses(reason) > 0) {
                    bypasses.put(reason, session.bypasses(reason));
                }
            }
            System.out.printf("browse-and-edit on %s: %d reads, %d hits (%.0f%%), %d misses, bypasses %s%n", db, all,
                    served, 100.0 * served / all, session.misses(), bypasses);
            if (db == Db.MARIADB) {
                assertTrue(2 * served >= all, "at least half of the reads served from the cache: " + session);
            }
        }
    }

    private static long totalBypasses(CacheStatistics statistics) {
        long total = 0;
        for (BypassReason reason : BypassReason.values()) {
            total += statistics.bypasses(reason);
        }
        return total;
    }

    private static List<Long> seed(EntityManager em) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < LAST_NAMES.length; i++) {
            Owner owner = new Owner("First" + i, LAST_NAMES[i], "600" + i);
            em.persist(owner);
            for (int p = 0; p < 2; p++) {
                Pet pet = new Pet("pet" + i + p, owner);
                em.persist(pet);
                em.persist(new Visit(pet, "visit of " + pet.name));
            }
            ids.add(owner.id);
        }
        return ids;
    }

    /** The owner's page as the application renders it. */
    private static String page(EntityManager em, long id) {
        Owner owner = em.find(Owner.class, id);
        StringBuilder page = new StringBuilder(owner.firstName + " " + owner.lastName + " " + owner.telephone);
        for (Pet pet : owner.pets) {
            page.append(" | ").append(pet.name);
            for (Visit visit : pet.visits) {
                page.append(" : ").append(visit.description);
            }
        }
        return page.toString();
    }

    /** The same page read by the real driver. */
    private static String directPage(Db db, String realUrl, long id) throws Exception {
        try (Connection c = DriverManager.getConnection(realUrl, db.user(), db.password());
             Statement s = c.createStatement()) {
            StringBuilder page = new StringBuilder();
            try (ResultSet rs = s.executeQuery("select first_name, last_name, telephone from fw_be_owner where id = " + id)) {
                rs.next();
                page.append(rs.getString(1)).append(' ').append(rs.getString(2)).append(' ').append(rs.getString(3));
            }
            try (ResultSet rs = s.executeQuery("select p.name, v.description from fw_be_pet p left join fw_be_visit v"
                    + " on v.pet_id = p.id where p.owner_id = " + id + " order by p.name, v.id")) {
                String pet = null;
                while (rs.next()) {
                    if (!rs.getString(1).equals(pet)) {
                        pet = rs.getString(1);
                        page.append(" | ").append(pet);
                    }
                    if (rs.getString(2) != null) {
                        page.append(" : ").append(rs.getString(2));
                    }
                }
            }
            return page.toString();
        }
    }
}
