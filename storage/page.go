package storage

import "gorm.io/gorm"

// Page runs q over rows whose time-ordered "id" is before startingAfter
// (all rows when it is empty), newest first, and returns at most limit of
// them and whether more follow. It is the cursor pagination of every list.
func Page[T any](q *gorm.DB, limit int, startingAfter string) ([]T, bool, error) {
	if startingAfter != "" {
		q = q.Where("id < ?", startingAfter)
	}
	var rows []T
	if err := q.Order("id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, false, err
	}
	if len(rows) > limit {
		return rows[:limit], true, nil
	}
	return rows, false, nil
}
