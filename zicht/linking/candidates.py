"""Candidate pairs: ads that share at least one non-hub band key, found by a relational join.

The join itself is SQL in ``zicht.store.linking.candidate_pairs`` (run per batch of dirty ads by
``zicht.linking.run``); this module only documents it. In relational terms::

    SELECT k1.ad_id, k2.ad_id
    FROM link_keys k1
    JOIN link_keys k2 ON k2.key = k1.key AND k2.ad_id <> k1.ad_id
    WHERE k1.ad_id IN (:dirty ads)                               -- new or changed ads only
      AND k1.key NOT IN (SELECT key FROM link_hubs)              -- hub keys make no candidates
      AND (k2.ad_id > k1.ad_id                                   -- a pair of two new ads once
           OR k2.ad_id NOT IN (SELECT ad_id FROM link_ads WHERE dirty))
    GROUP BY k1.ad_id, k2.ad_id
    HAVING count(*) > sum(k1.channel = 'text')   -- a shared contact or photo key, or
        OR sum(k1.channel = 'text') >= 2         -- at least two shared text bands

Only new or changed ("dirty") ads are joined, against everything stored, so an incremental run costs
in proportion to what is new; a full rebuild marks every ad dirty and runs the same query (where the
last condition is just ``k2.ad_id > k1.ad_id``). Nothing in it needs more than an equi-join, anti-joins
and a GROUP BY, so it runs as well on a distributed SQL engine, partitioned by key.
"""
