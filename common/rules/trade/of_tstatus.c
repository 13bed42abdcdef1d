/* of_tstatus.c -- status names (of_tstatus.h). */
#include "of_tstatus.h"

const char *of_tstatus_name(int s) {
    switch (s) {
    case 5:
        return "cancelled";
    case 10:
        return "unpaid";
    case 12:
        return "awaiting balance";
    case 13:
        return "awaiting warehouse selection";
    case 15:
        return "wait-unpaid";
    case 16:
        return "delayed audit";
    case 19:
        return "pre-order pre-processing";
    case 20:
        return "pre-audit processing";
    case 25:
        return "pre-order";
    case 27:
        return "grab";
    case 30:
        return "awaiting audit";
    case 55:
        return "audited, pushed to the warehouse (stockout order)";
    case 95:
        return "shipped";
    case 110:
        return "completed";
    default:
        return s > 40 && s < 95 ? "audited" : s == 40 ? "audited (awaiting push to the warehouse)" : "?";
    }
}
