/* test_lanes.c -- D-T10-63: how one instance's batch is shared out over its lanes (of_worker_lane_split): a
 * partition's messages stay on one lane, the shares are even whatever partitions the group gave the instance. */
#include <criterion/criterion.h>
#include <stdint.h>
#include "of_worker.h"

/* every message of a partition on the same lane; returns each lane's count in load */
static void check_partitions_whole(const int32_t *part, const int *lane, int n, int nlanes, int *load) {
    for (int k = 0; k < nlanes; k++)
        load[k] = 0;
    for (int i = 0; i < n; i++) {
        cr_assert(lane[i] >= 0 && lane[i] < nlanes, "message %d on lane %d", i, lane[i]);
        load[lane[i]]++;
        for (int j = 0; j < i; j++)
            if (part[j] == part[i]) cr_assert_eq(lane[j], lane[i], "partition %d split over two lanes", part[i]);
    }
}

Test(lanes, D_T10_63_an_instance_with_only_even_partitions_still_fills_both_lanes) {
    /* cooperative-sticky often gives two members the even and the odd partitions: partition % 2 would put all on
     * lane 0 */
    int32_t part[200];
    int lane[200], load[2];
    for (int i = 0; i < 200; i++)
        part[i] = (int32_t)(2 * (i % 8)); /* 0, 2, 4 … 14: 25 messages each */
    cr_assert_eq(of_worker_lane_split(part, 200, 2, lane), 0);
    check_partitions_whole(part, lane, 200, 2, load);
    cr_expect_eq(load[0], 100);
    cr_expect_eq(load[1], 100);
}

Test(lanes, D_T10_63_the_busiest_partitions_go_first_to_the_least_loaded_lane) {
    /* partition 3: 60 messages, 5: 30, 7: 20, 9: 10 -> lane 0 {3}, lane 1 {5, 7, 9} = 60 / 60 */
    int32_t part[120];
    int lane[120], load[2], n = 0;
    for (int i = 0; i < 60; i++)
        part[n++] = 3;
    for (int i = 0; i < 30; i++)
        part[n++] = 5;
    for (int i = 0; i < 20; i++)
        part[n++] = 7;
    for (int i = 0; i < 10; i++)
        part[n++] = 9;
    cr_assert_eq(of_worker_lane_split(part, n, 2, lane), 0);
    check_partitions_whole(part, lane, n, 2, load);
    cr_expect_eq(load[0], 60);
    cr_expect_eq(load[1], 60);
    cr_expect_eq(lane[0], 0, "the busiest partition on the first lane");
}

Test(lanes, D_T10_63_one_partition_one_lane_and_bad_counts_refused) {
    int32_t part[5] = {4, 4, 4, 4, 4};
    int lane[5], load[3];
    cr_assert_eq(of_worker_lane_split(part, 5, 3, lane), 0);
    check_partitions_whole(part, lane, 5, 3, load);
    cr_expect_eq(load[0], 5, "a single partition stays whole, on lane 0");
    cr_expect_eq(of_worker_lane_split(part, 5, 0, lane), -1);
    cr_expect_eq(of_worker_lane_split(part, 5, OF_WORKER_LANES_MAX + 1, lane), -1);
    cr_expect_eq(of_worker_lane_split(part, 0, 2, lane), 0, "an empty batch");
}
