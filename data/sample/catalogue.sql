-- catalogue.sql -- sample catalogue and configuration of orderfleet (load into `orderfleet` after every schema/main migration).
-- Explicit ids: tests may rely on them (docs/schema.md, "Sample data"). Plain INSERTs: load once into fresh tables.
-- The platform goods (api_goods_spec) and specs agree with data/sample/gen_raw_trades.py, which wrote raw_trades.jsonl.
SET NAMES utf8mb4;

-- ---------------------------------------------------------------- platforms, logistics, warehouses, shops
INSERT INTO cfg_platform (platform_id, platform_code, name) VALUES
(0, 'OFFLINE', '线下'), (1, 'TB', '淘宝/天猫'), (2, 'JD', '京东'), (3, 'PDD', '拼多多');

INSERT INTO cfg_logistics (logistics_id, logistics_no, name, logistics_type, supports_cod, sort_order) VALUES
(1, 'SF',      '顺丰速运',          2, 0, 10),
(2, 'ZTO',     '中通快递',          2, 0, 20),
(3, 'EMS',     '中国邮政EMS',       2, 1, 30),
(4, 'YTO',     '圆通速递',          2, 0, 40),
(5, 'NOTRACK', '无单号物流(抢单)',  1, 0, 90),
(6, 'ESB',     'E速宝',             4, 0, 80);

INSERT INTO cfg_warehouse (warehouse_id, warehouse_no, name, wms_type, is_external, is_express, priority, province, city, district, address, contact, mobile, cod_logistics_id) VALUES
(1, 'SH-01',     '上海仓',             0, 0, 0, 30, '上海',     '上海市', '浦东新区', '康桥镇秀浦路2388号',         '陈仓管', '13800001001', 3),
(2, 'GZ-01',     '广州仓',             0, 0, 0, 20, '广东省',   '广州市', '白云区',   '太和镇广州北物流园A3栋',     '林仓管', '13800001002', 3),
(3, 'BJ-01',     '北京仓',             0, 0, 0, 10, '北京',     '北京市', '大兴区',   '亦庄经济开发区科创十三街18号', '赵仓管', '13800001003', 0),
(4, 'WMS-CN-01', '菜鸟物流宝仓(嘉兴)', 1, 1, 0,  5, '浙江省',   '嘉兴市', '南湖区',   '大桥镇亚太路1号菜鸟园区',     '菜鸟',   '13800001004', 0);

-- coverage by province ('' city / district = the whole level); 四川省, 重庆, 湖北省, 新疆, 西藏 are covered by nobody
INSERT INTO cfg_warehouse_area (rec_id, warehouse_id, province, city, district) VALUES
(1, 1, '上海', '', ''), (2, 1, '江苏省', '', ''), (3, 1, '浙江省', '', ''), (4, 1, '安徽省', '', ''), (5, 1, '江西省', '', ''),
(6, 2, '广东省', '', ''), (7, 2, '广西壮族自治区', '', ''), (8, 2, '福建省', '', ''), (9, 2, '海南省', '', ''),
(10, 2, '湖南省', '', ''), (11, 2, '云南省', '', ''), (12, 2, '贵州省', '', ''),
(13, 3, '北京', '', ''), (14, 3, '天津', '', ''), (15, 3, '河北省', '', ''), (16, 3, '山东省', '', ''),
(17, 3, '辽宁省', '', ''), (18, 3, '吉林省', '', ''), (19, 3, '黑龙江省', '', ''), (20, 3, '山西省', '', ''),
(21, 3, '内蒙古自治区', '', ''), (22, 3, '河南省', '', ''), (23, 3, '陕西省', '西安市', ''),
(24, 4, '浙江省', '', '');

INSERT INTO cfg_shop (shop_id, platform_id, shop_no, shop_name, shop_group, is_preorder, is_grab, is_split_merge, is_goods_wh, cod_logistics_id, grab_logistics_id) VALUES
(1, 1, 'tb-flagship', '茗香天猫旗舰店',   '华东', 0, 0, 1, 1, 0, 5),
(2, 2, 'jd-store',    '茗香京东专卖店',   '华北', 0, 0, 1, 0, 3, 0),
(3, 3, 'pdd-outlet',  '茗香拼多多折扣店', '华南', 0, 1, 0, 0, 0, 5);

-- tb-flagship: three warehouses (coverage decides, SUB-WH-04); jd-store: two; pdd-outlet: one (SUB-WH-03)
INSERT INTO cfg_shop_warehouse (rec_id, shop_id, warehouse_id, priority) VALUES
(1, 1, 1, 30), (2, 1, 2, 20), (3, 1, 3, 10),
(4, 2, 3, 20), (5, 2, 1, 10),
(6, 3, 2, 10);

INSERT INTO cfg_shop_logistics (rec_id, shop_id, logistics_id, priority) VALUES
(1, 2, 1, 10);

-- ---------------------------------------------------------------- goods
INSERT INTO goods_goods (goods_id, goods_no, goods_name, short_name, brand, class_name, unit_name, deleted) VALUES
(1,  'G-TEA-001', '西湖龙井',         '龙井',     '茗香',     '茶叶',   '罐', 0),
(2,  'G-TEA-002', '安溪铁观音',       '铁观音',   '茗香',     '茶叶',   '袋', 0),
(3,  'G-TEA-003', '云南普洱熟茶',     '普洱',     '茗香',     '茶叶',   '饼', 0),
(4,  'G-TEA-004', '福鼎白毫银针',     '银针',     '茗香',     '茶叶',   '盒', 0),
(5,  'G-CUP-001', '青花瓷品茗杯',     '品茗杯',   '景德',     '茶具',   '只', 0),
(6,  'G-CUP-002', '宜兴紫砂壶',       '紫砂壶',   '宜兴',     '茶具',   '把', 0),
(7,  'G-SNK-001', '临安手剥山核桃',   '山核桃',   '山里人家', '零食',   '罐', 0),
(8,  'G-SNK-002', '内蒙古风干牛肉干', '牛肉干',   '草原',     '零食',   '袋', 0),
(9,  'G-HON-001', '秦岭土蜂蜜',       '蜂蜜',     '蜂语',     '滋补',   '瓶', 0),
(10, 'G-RIC-001', '五常稻花香大米',   '大米',     '黑土',     '粮油',   '袋', 0),
(11, 'G-OIL-001', '江西山茶油',       '山茶油',   '赣南',     '粮油',   '瓶', 0),
(12, 'G-APP-001', '迷你电饭煲',       '电饭煲',   '小厨',     '小家电', '台', 0),
(13, 'G-TBL-001', '实木功夫茶桌',     '茶桌',     '木匠',     '家具',   '张', 0),
(14, 'G-GFT-001', '茶叶礼品袋',       '礼品袋',   '茗香',     '包材',   '个', 0),
(15, 'G-OLD-001', '旧款竹茶盘',       '竹茶盘',   '茗香',     '茶具',   '个', 1);

-- weight kg, length/width/height cm, volume cm³; large_type 1 普通大件, 2 独立大件; spec 17 is deleted
INSERT INTO goods_spec (spec_id, goods_id, goods_no, goods_name, spec_no, spec_code, spec_name, barcode, retail_price, weight, length, width, height, volume, tax_rate, large_type, is_zero_cost, is_not_use_air, deleted) VALUES
(1,  1,  'G-TEA-001', '西湖龙井',         'SKU-TEA-001', 'LJ250',  '250g罐装',    '6901234500011', 128.00,  0.3500,  10,  10, 15,   1500, 0.0900, 0, 0, 0, 0),
(2,  1,  'G-TEA-001', '西湖龙井',         'SKU-TEA-002', 'LJ500',  '500g礼盒',    '6901234500028', 238.00,  0.7500,  25,  18, 10,   4500, 0.0900, 0, 0, 0, 0),
(3,  2,  'G-TEA-002', '安溪铁观音',       'SKU-TEA-003', 'TGY250', '250g袋装',    '6901234500035',  88.00,  0.3000,  20,  12,  6,   1440, 0.0900, 0, 0, 0, 0),
(4,  3,  'G-TEA-003', '云南普洱熟茶',     'SKU-TEA-004', 'PE357',  '357g茶饼',    '6901234500042', 158.00,  0.4500,  22,  22,  4,   1936, 0.0900, 0, 0, 0, 0),
(5,  4,  'G-TEA-004', '福鼎白毫银针',     'SKU-TEA-005', 'BH100',  '100g铁盒',    '6901234500059', 268.00,  0.2500,  12,   8,  8,    768, 0.0900, 0, 0, 0, 0),
(6,  5,  'G-CUP-001', '青花瓷品茗杯',     'SKU-CUP-001', 'QHC1',   '单只装',      '6901234500066',  39.00,  0.1500,   8,   8,  6,    384, 0.1300, 0, 0, 0, 0),
(7,  6,  'G-CUP-002', '宜兴紫砂壶',       'SKU-CUP-002', 'ZSH200', '200ml西施壶', '6901234500073', 368.00,  0.4000,  15,  12, 10,   1800, 0.1300, 0, 0, 0, 0),
(8,  7,  'G-SNK-001', '临安手剥山核桃',   'SKU-SNK-001', 'SHT500', '500g罐装',    '6901234500080',  69.00,  0.6000,  14,  14, 16,   3136, 0.0900, 0, 0, 0, 0),
(9,  8,  'G-SNK-002', '内蒙古风干牛肉干', 'SKU-SNK-002', 'NRG200', '200g原味',    '6901234500097',  49.00,  0.2500,  20,  14,  4,   1120, 0.0900, 0, 0, 0, 0),
(10, 8,  'G-SNK-002', '内蒙古风干牛肉干', 'SKU-SNK-003', 'NRG400', '400g香辣',    '6901234500103',  89.00,  0.4800,  24,  16,  5,   1920, 0.0900, 0, 0, 0, 0),
(11, 9,  'G-HON-001', '秦岭土蜂蜜',       'SKU-HON-001', 'FM500',  '500g瓶装',    '6901234500110',  79.00,  0.7000,   9,   9, 15,   1215, 0.0900, 0, 0, 0, 0),
(12, 10, 'G-RIC-001', '五常稻花香大米',   'SKU-RIC-001', 'DM5',    '5kg袋装',     '6901234500127',  99.00,  5.1000,  45,  30, 10,  13500, 0.0900, 0, 0, 0, 0),
(13, 11, 'G-OIL-001', '江西山茶油',       'SKU-OIL-001', 'CY1L',   '1L瓶装',      '6901234500134', 138.00,  1.0500,   9,   9, 28,   2268, 0.0900, 0, 0, 1, 0),
(14, 12, 'G-APP-001', '迷你电饭煲',       'SKU-APP-001', 'DFB16',  '1.6L白色',    '6901234500141', 199.00,  2.4000,  28,  26, 24,  17472, 0.1300, 1, 0, 0, 0),
(15, 13, 'G-TBL-001', '实木功夫茶桌',     'SKU-TBL-001', 'CZ120',  '1.2米胡桃木',  '6901234500158', 1880.00, 45.0000, 120, 60, 75, 540000, 0.1300, 2, 0, 0, 0),
(16, 14, 'G-GFT-001', '茶叶礼品袋',       'SKU-GFT-001', 'LPD-M',  '中号手提袋',  '6901234500165',   0.00,  0.0800,  30,  25, 10,   7500, 0.1300, 0, 1, 0, 0),
(17, 15, 'G-OLD-001', '旧款竹茶盘',       'SKU-OLD-001', 'CP40',   '40cm竹茶盘',  '6901234500172',  59.00,  1.2000,  40,  25,  5,   5000, 0.1300, 0, 0, 0, 1);

-- suite 1 unsplittable by flag, suite 2 unsplittable by print mode (SUB-MAP-19), suite 3 splittable,
-- suite 4 contains the deleted spec 17 → invalid goods (SUB-MAP-10c); no sample raw trade uses suite 4
INSERT INTO goods_suite (suite_id, suite_no, suite_name, retail_price, weight, is_unsplit, print_mode, deleted) VALUES
(1, 'SUITE-TEA-GIFT', '龙井品茗礼盒',       298.00, 1.0800, 1, 1, 0),
(2, 'SUITE-SNK-MIX',  '坚果肉干零食组合',   149.00, 1.1000, 0, 2, 0),
(3, 'SUITE-TEA-SET',  '紫砂品茗套装',       568.00, 1.1500, 0, 1, 0),
(4, 'SUITE-OLD-SET',  '竹茶盘套装(含停产)', 139.00, 1.5000, 0, 1, 0);

INSERT INTO goods_suite_detail (rec_id, suite_id, spec_id, num, amount, ratio, is_gift, sort_order) VALUES
(1, 1, 1,  2, 256.00, 0, 0, 1),
(2, 1, 6,  2,  78.00, 0, 0, 2),
(3, 1, 16, 1,   0.00, 0, 1, 3),
(4, 2, 8,  1,  69.00, 0, 0, 1),
(5, 2, 9,  2,  98.00, 0, 0, 2),
(6, 3, 7,  1, 368.00, 0, 0, 1),
(7, 3, 3,  1,  88.00, 0, 0, 2),
(8, 3, 4,  1, 158.00, 0, 0, 3),
(9, 4, 17, 1,  59.00, 0, 0, 1),
(10, 4, 3, 1,  88.00, 0, 0, 2);

-- platform goods: goods_id <P>-G<base+goods_id>, spec_id <P>-S<base+goods_id>-<k> (TB 1000, JD 2000, PDD 3000);
-- suites <P>-G<base+100+suite_id>; <P>-G<base+99> is listed but matches nothing (match_target_type 0)
INSERT INTO api_goods_spec (rec_id, platform_id, shop_id, goods_id, spec_id, goods_no, spec_no, goods_name, spec_name, cid, price, status, match_target_type, match_target_id, match_code, is_manual_match, modify_flag, is_stock_change) VALUES
(1, 1, 1, 'TB-G1001', 'TB-S1001-1', 'G-TEA-001', 'SKU-TEA-001', '明前特级西湖龙井茶叶 2026新茶', '250g罐装', '121426', 128.00, 1, 1, 1, 'SKU-TEA-001', 0, 0, 0),
(2, 1, 1, 'TB-G1001', 'TB-S1001-2', 'G-TEA-001', 'SKU-TEA-002', '明前特级西湖龙井茶叶 2026新茶', '500g礼盒', '121426', 238.00, 1, 1, 2, 'SKU-TEA-002', 0, 0, 0),
(3, 1, 1, 'TB-G1002', 'TB-S1002-1', 'G-TEA-002', 'SKU-TEA-003', '安溪铁观音浓香型 乌龙茶', '250g袋装', '121426', 88.00, 1, 1, 3, 'SKU-TEA-003', 0, 0, 0),
(4, 1, 1, 'TB-G1003', 'TB-S1003-1', 'G-TEA-003', 'SKU-TEA-004', '云南普洱熟茶饼 勐海古树', '357g茶饼', '121426', 158.00, 1, 1, 4, 'SKU-TEA-004', 0, 0, 0),
(5, 1, 1, 'TB-G1004', 'TB-S1004-1', 'G-TEA-004', 'SKU-TEA-005', '【预售】福鼎白毫银针 2026头采白茶', '100g铁盒', '121426', 268.00, 1, 1, 5, 'SKU-TEA-005', 0, 0, 0),
(6, 1, 1, 'TB-G1005', 'TB-S1005-1', 'G-CUP-001', 'SKU-CUP-001', '景德镇青花瓷品茗杯 手绘主人杯', '单只装', '50016', 39.00, 1, 1, 6, 'SKU-CUP-001', 0, 0, 0),
(7, 1, 1, 'TB-G1006', 'TB-S1006-1', 'G-CUP-002', 'SKU-CUP-002', '宜兴原矿紫砂壶 西施壶', '200ml西施壶', '50016', 368.00, 1, 1, 7, 'SKU-CUP-002', 0, 0, 0),
(8, 1, 1, 'TB-G1007', 'TB-S1007-1', 'G-SNK-001', 'SKU-SNK-001', '临安手剥山核桃 奶油味坚果', '500g罐装', '50008', 69.00, 1, 1, 8, 'SKU-SNK-001', 0, 0, 0),
(9, 1, 1, 'TB-G1008', 'TB-S1008-1', 'G-SNK-002', 'SKU-SNK-002', '内蒙古风干牛肉干 手撕零食', '200g原味', '50008', 49.00, 1, 1, 9, 'SKU-SNK-002', 0, 0, 0),
(10, 1, 1, 'TB-G1008', 'TB-S1008-2', 'G-SNK-002', 'SKU-SNK-003', '内蒙古风干牛肉干 手撕零食', '400g香辣', '50008', 89.00, 1, 1, 10, 'SKU-SNK-003', 0, 0, 0),
(11, 1, 1, 'TB-G1009', 'TB-S1009-1', 'G-HON-001', 'SKU-HON-001', '秦岭土蜂蜜 农家自产百花蜜', '500g瓶装', '50008', 79.00, 1, 1, 11, 'SKU-HON-001', 0, 0, 0),
(12, 1, 1, 'TB-G1010', 'TB-S1010-1', 'G-RIC-001', 'SKU-RIC-001', '五常稻花香大米 东北新米', '5kg袋装', '50050', 99.00, 1, 1, 12, 'SKU-RIC-001', 0, 0, 0),
(13, 1, 1, 'TB-G1011', 'TB-S1011-1', 'G-OIL-001', 'SKU-OIL-001', '江西赣南山茶油 冷榨茶籽油', '1L瓶装', '50050', 138.00, 1, 1, 13, 'SKU-OIL-001', 0, 0, 0),
(14, 1, 1, 'TB-G1012', 'TB-S1012-1', 'G-APP-001', 'SKU-APP-001', '迷你电饭煲 1-2人小型家用', '1.6L白色', '50012', 199.00, 1, 1, 14, 'SKU-APP-001', 0, 0, 0),
(15, 1, 1, 'TB-G1013', 'TB-S1013-1', 'G-TBL-001', 'SKU-TBL-001', '实木功夫茶桌 胡桃木茶台', '1.2米胡桃木', '50020', 1880.00, 1, 1, 15, 'SKU-TBL-001', 0, 0, 0),
(16, 1, 1, 'TB-G1014', 'TB-S1014-1', 'G-GFT-001', 'SKU-GFT-001', '茶叶礼品袋 手提袋', '中号手提袋', '50099', 0.00, 1, 1, 16, 'SKU-GFT-001', 0, 0, 0),
(17, 1, 1, 'TB-G1101', 'TB-S1101-1', 'SUITE-TEA-GIFT', 'SUITE-TEA-GIFT', '龙井品茗礼盒 2罐龙井+2只青花杯 送礼袋', '套装', '', 298.00, 1, 2, 1, 'SUITE-TEA-GIFT', 0, 0, 0),
(18, 1, 1, 'TB-G1102', 'TB-S1102-1', 'SUITE-SNK-MIX', 'SUITE-SNK-MIX', '坚果肉干零食组合 山核桃+牛肉干2袋', '套装', '', 149.00, 1, 2, 2, 'SUITE-SNK-MIX', 0, 0, 0),
(19, 1, 1, 'TB-G1103', 'TB-S1103-1', 'SUITE-TEA-SET', 'SUITE-TEA-SET', '紫砂品茗套装 西施壶+铁观音+普洱', '套装', '', 568.00, 1, 2, 3, 'SUITE-TEA-SET', 0, 0, 0),
(20, 1, 1, 'TB-G1104', 'TB-S1104-1', 'SUITE-OLD-SET', 'SUITE-OLD-SET', '竹茶盘套装 含铁观音', '套装', '', 139.00, 1, 2, 4, 'SUITE-OLD-SET', 0, 0, 0),
(21, 1, 1, 'TB-G1099', 'TB-S1099-1', 'G-PRE-099', 'SKU-PRE-099', '2027明前龙井 新品茶礼', '礼盒装', '', 199.00, 1, 0, 0, '', 0, 0, 0),
(22, 2, 2, 'JD-G2001', 'JD-S2001-1', 'G-TEA-001', 'SKU-TEA-001', '明前特级西湖龙井茶叶 2026新茶', '250g罐装', '1320-1585', 128.00, 1, 1, 1, 'SKU-TEA-001', 0, 0, 0),
(23, 2, 2, 'JD-G2001', 'JD-S2001-2', 'G-TEA-001', 'SKU-TEA-002', '明前特级西湖龙井茶叶 2026新茶', '500g礼盒', '1320-1585', 238.00, 1, 1, 2, 'SKU-TEA-002', 0, 0, 0),
(24, 2, 2, 'JD-G2002', 'JD-S2002-1', 'G-TEA-002', 'SKU-TEA-003', '安溪铁观音浓香型 乌龙茶', '250g袋装', '1320-1585', 88.00, 1, 1, 3, 'SKU-TEA-003', 0, 0, 0),
(25, 2, 2, 'JD-G2003', 'JD-S2003-1', 'G-TEA-003', 'SKU-TEA-004', '云南普洱熟茶饼 勐海古树', '357g茶饼', '1320-1585', 158.00, 1, 1, 4, 'SKU-TEA-004', 0, 0, 0),
(26, 2, 2, 'JD-G2005', 'JD-S2005-1', 'G-CUP-001', 'SKU-CUP-001', '景德镇青花瓷品茗杯 手绘主人杯', '单只装', '1320-1586', 39.00, 1, 1, 6, 'SKU-CUP-001', 0, 0, 0),
(27, 2, 2, 'JD-G2006', 'JD-S2006-1', 'G-CUP-002', 'SKU-CUP-002', '宜兴原矿紫砂壶 西施壶', '200ml西施壶', '1320-1586', 368.00, 1, 1, 7, 'SKU-CUP-002', 0, 0, 0),
(28, 2, 2, 'JD-G2007', 'JD-S2007-1', 'G-SNK-001', 'SKU-SNK-001', '临安手剥山核桃 奶油味坚果', '500g罐装', '1320-1583', 69.00, 1, 1, 8, 'SKU-SNK-001', 0, 0, 0),
(29, 2, 2, 'JD-G2008', 'JD-S2008-1', 'G-SNK-002', 'SKU-SNK-002', '内蒙古风干牛肉干 手撕零食', '200g原味', '1320-1583', 49.00, 1, 1, 9, 'SKU-SNK-002', 0, 0, 0),
(30, 2, 2, 'JD-G2008', 'JD-S2008-2', 'G-SNK-002', 'SKU-SNK-003', '内蒙古风干牛肉干 手撕零食', '400g香辣', '1320-1583', 89.00, 1, 1, 10, 'SKU-SNK-003', 0, 0, 0),
(31, 2, 2, 'JD-G2009', 'JD-S2009-1', 'G-HON-001', 'SKU-HON-001', '秦岭土蜂蜜 农家自产百花蜜', '500g瓶装', '1320-1583', 79.00, 1, 1, 11, 'SKU-HON-001', 0, 0, 0),
(32, 2, 2, 'JD-G2010', 'JD-S2010-1', 'G-RIC-001', 'SKU-RIC-001', '五常稻花香大米 东北新米', '5kg袋装', '1320-1584', 99.00, 1, 1, 12, 'SKU-RIC-001', 0, 0, 0),
(33, 2, 2, 'JD-G2011', 'JD-S2011-1', 'G-OIL-001', 'SKU-OIL-001', '江西赣南山茶油 冷榨茶籽油', '1L瓶装', '1320-1584', 138.00, 1, 1, 13, 'SKU-OIL-001', 0, 0, 0),
(34, 2, 2, 'JD-G2012', 'JD-S2012-1', 'G-APP-001', 'SKU-APP-001', '迷你电饭煲 1-2人小型家用', '1.6L白色', '737-752', 199.00, 1, 1, 14, 'SKU-APP-001', 0, 0, 0),
(35, 2, 2, 'JD-G2101', 'JD-S2101-1', 'SUITE-TEA-GIFT', 'SUITE-TEA-GIFT', '龙井品茗礼盒 2罐龙井+2只青花杯 送礼袋', '套装', '', 298.00, 1, 2, 1, 'SUITE-TEA-GIFT', 0, 0, 0),
(36, 2, 2, 'JD-G2103', 'JD-S2103-1', 'SUITE-TEA-SET', 'SUITE-TEA-SET', '紫砂品茗套装 西施壶+铁观音+普洱', '套装', '', 568.00, 1, 2, 3, 'SUITE-TEA-SET', 0, 0, 0),
(37, 2, 2, 'JD-G2099', 'JD-S2099-1', 'G-PRE-099', 'SKU-PRE-099', '2027明前龙井 新品茶礼', '礼盒装', '', 199.00, 1, 0, 0, '', 0, 0, 0),
(38, 3, 3, 'PDD-G3001', 'PDD-S3001-1', 'G-TEA-001', 'SKU-TEA-001', '明前特级西湖龙井茶叶 2026新茶', '250g罐装', '', 115.20, 1, 1, 1, 'SKU-TEA-001', 0, 0, 0),
(39, 3, 3, 'PDD-G3001', 'PDD-S3001-2', 'G-TEA-001', 'SKU-TEA-002', '明前特级西湖龙井茶叶 2026新茶', '500g礼盒', '', 214.20, 1, 1, 2, 'SKU-TEA-002', 0, 0, 0),
(40, 3, 3, 'PDD-G3002', 'PDD-S3002-1', 'G-TEA-002', 'SKU-TEA-003', '安溪铁观音浓香型 乌龙茶', '250g袋装', '', 79.20, 1, 1, 3, 'SKU-TEA-003', 0, 0, 0),
(41, 3, 3, 'PDD-G3003', 'PDD-S3003-1', 'G-TEA-003', 'SKU-TEA-004', '云南普洱熟茶饼 勐海古树', '357g茶饼', '', 142.20, 1, 1, 4, 'SKU-TEA-004', 0, 0, 0),
(42, 3, 3, 'PDD-G3007', 'PDD-S3007-1', 'G-SNK-001', 'SKU-SNK-001', '临安手剥山核桃 奶油味坚果', '500g罐装', '', 62.10, 1, 1, 8, 'SKU-SNK-001', 0, 0, 0),
(43, 3, 3, 'PDD-G3008', 'PDD-S3008-1', 'G-SNK-002', 'SKU-SNK-002', '内蒙古风干牛肉干 手撕零食', '200g原味', '', 44.10, 1, 1, 9, 'SKU-SNK-002', 0, 0, 0),
(44, 3, 3, 'PDD-G3008', 'PDD-S3008-2', 'G-SNK-002', 'SKU-SNK-003', '内蒙古风干牛肉干 手撕零食', '400g香辣', '', 80.10, 1, 1, 10, 'SKU-SNK-003', 0, 0, 0),
(45, 3, 3, 'PDD-G3009', 'PDD-S3009-1', 'G-HON-001', 'SKU-HON-001', '秦岭土蜂蜜 农家自产百花蜜', '500g瓶装', '', 71.10, 1, 1, 11, 'SKU-HON-001', 0, 0, 0),
(46, 3, 3, 'PDD-G3010', 'PDD-S3010-1', 'G-RIC-001', 'SKU-RIC-001', '五常稻花香大米 东北新米', '5kg袋装', '', 89.10, 1, 1, 12, 'SKU-RIC-001', 0, 0, 0),
(47, 3, 3, 'PDD-G3011', 'PDD-S3011-1', 'G-OIL-001', 'SKU-OIL-001', '江西赣南山茶油 冷榨茶籽油', '1L瓶装', '', 124.20, 1, 1, 13, 'SKU-OIL-001', 0, 0, 0),
(48, 3, 3, 'PDD-G3102', 'PDD-S3102-1', 'SUITE-SNK-MIX', 'SUITE-SNK-MIX', '坚果肉干零食组合 山核桃+牛肉干2袋', '套装', '', 134.10, 1, 2, 2, 'SUITE-SNK-MIX', 0, 0, 0),
(49, 3, 3, 'PDD-G3099', 'PDD-S3099-1', 'G-PRE-099', 'SKU-PRE-099', '2027明前龙井 新品茶礼', '礼盒装', '', 179.00, 1, 0, 0, '', 0, 0, 0);

INSERT INTO api_goods_category (rec_id, shop_id, cid, parent_cid, name, commission_factor) VALUES
(1, 1, '121426', '', '茶叶',     0.050000),
(2, 1, '50016',  '', '茶具',     0.050000),
(3, 1, '50008',  '', '零食坚果', 0.040000),
(4, 1, '50050',  '', '粮油米面', 0.020000),
(5, 1, '50012',  '', '厨房电器', 0.030000),
(6, 1, '50020',  '', '家具',     0.030000),
(7, 2, '1320-1585', '1320', '茶叶',     0.080000),
(8, 2, '1320-1586', '1320', '茶具',     0.080000),
(9, 2, '1320-1583', '1320', '休闲食品', 0.060000),
(10, 2, '1320-1584', '1320', '粮油调味', 0.040000),
(11, 2, '737-752',   '737',  '厨房小电', 0.050000);

-- goods-designated warehouses: the tea table ships only from Guangzhou in tb-flagship (mode 1, active: shop 1 has
-- is_goods_wh = 1 and CFG_WH_BY_GOODS = 1); tea oil by warehouse address in jd-store (mode 2, 极速达; inactive
-- until shop 2 sets is_goods_wh = 1)
INSERT INTO goods_spec_warehouse (rec_id, shop_id, spec_id, warehouse_id, mode, logistics_id, priority) VALUES
(1, 1, 15, 2, 1, 0, 10),
(2, 2, 13, 3, 2, 6, 10),
(3, 2, 13, 1, 2, 6, 5);

-- ---------------------------------------------------------------- stock (every warehouse × spec; warehouse 4 is external: wms_stock_num)
INSERT INTO stock_spec (rec_id, warehouse_id, spec_id, stock_num, wms_stock_num, sending_num, order_num, unpay_num, subscribe_num, cost_price) VALUES
(1, 1, 1, 120, 0, 0, 0, 0, 0, 70.40),
(2, 1, 2, 60, 0, 0, 0, 0, 0, 130.90),
(3, 1, 3, 200, 0, 0, 0, 0, 0, 48.40),
(4, 1, 4, 80, 0, 0, 0, 0, 0, 86.90),
(5, 1, 5, 0, 0, 0, 0, 0, 0, 147.40),
(6, 1, 6, 300, 0, 0, 0, 0, 0, 21.45),
(7, 1, 7, 15, 0, 0, 0, 0, 0, 202.40),
(8, 1, 8, 150, 0, 0, 0, 0, 0, 37.95),
(9, 1, 9, 240, 0, 0, 0, 0, 0, 26.95),
(10, 1, 10, 90, 0, 0, 0, 0, 0, 48.95),
(11, 1, 11, 100, 0, 0, 0, 0, 0, 43.45),
(12, 1, 12, 60, 0, 0, 0, 0, 0, 54.45),
(13, 1, 13, 45, 0, 0, 0, 0, 0, 75.90),
(14, 1, 14, 12, 0, 0, 0, 0, 0, 109.45),
(15, 1, 15, 0, 0, 0, 0, 0, 0, 1034.00),
(16, 1, 16, 1000, 0, 0, 0, 0, 0, 0.00),
(17, 1, 17, 0, 0, 0, 0, 0, 0, 32.45),
(18, 2, 1, 60, 0, 0, 0, 0, 0, 70.40),
(19, 2, 2, 1, 0, 0, 0, 0, 0, 130.90),
(20, 2, 3, 100, 0, 0, 0, 0, 0, 48.40),
(21, 2, 4, 40, 0, 0, 0, 0, 0, 86.90),
(22, 2, 5, 0, 0, 0, 0, 0, 0, 147.40),
(23, 2, 6, 150, 0, 0, 0, 0, 0, 21.45),
(24, 2, 7, 7, 0, 0, 0, 0, 0, 202.40),
(25, 2, 8, 75, 0, 0, 0, 0, 0, 37.95),
(26, 2, 9, 120, 0, 0, 0, 0, 0, 26.95),
(27, 2, 10, 45, 0, 0, 0, 0, 0, 48.95),
(28, 2, 11, 50, 0, 0, 0, 0, 0, 43.45),
(29, 2, 12, 30, 0, 0, 0, 0, 0, 54.45),
(30, 2, 13, 4, 0, 0, 0, 0, 0, 75.90),
(31, 2, 14, 6, 0, 0, 0, 0, 0, 109.45),
(32, 2, 15, 3, 0, 0, 0, 0, 0, 1034.00),
(33, 2, 16, 500, 0, 0, 0, 0, 0, 0.00),
(34, 2, 17, 0, 0, 0, 0, 0, 0, 32.45),
(35, 3, 1, 36, 0, 0, 0, 0, 0, 70.40),
(36, 3, 2, 18, 0, 0, 0, 0, 0, 130.90),
(37, 3, 3, 60, 0, 0, 0, 0, 0, 48.40),
(38, 3, 4, 24, 0, 0, 0, 0, 0, 86.90),
(39, 3, 5, 0, 0, 0, 0, 0, 0, 147.40),
(40, 3, 6, 90, 0, 0, 0, 0, 0, 21.45),
(41, 3, 7, 0, 0, 0, 0, 0, 0, 202.40),
(42, 3, 8, 45, 0, 0, 0, 0, 0, 37.95),
(43, 3, 9, 72, 0, 0, 0, 0, 0, 26.95),
(44, 3, 10, 27, 0, 0, 0, 0, 0, 48.95),
(45, 3, 11, 30, 0, 0, 0, 0, 0, 43.45),
(46, 3, 12, 0, 0, 0, 0, 0, 0, 54.45),
(47, 3, 13, 13, 0, 0, 0, 0, 0, 75.90),
(48, 3, 14, 2, 0, 0, 0, 0, 0, 109.45),
(49, 3, 15, 0, 0, 0, 0, 0, 0, 1034.00),
(50, 3, 16, 300, 0, 0, 0, 0, 0, 0.00),
(51, 3, 17, 0, 0, 0, 0, 0, 0, 32.45),
(52, 4, 1, 0, 80, 0, 0, 0, 0, 70.40),
(53, 4, 2, 0, 0, 0, 0, 0, 0, 130.90),
(54, 4, 3, 0, 50, 0, 0, 0, 0, 48.40),
(55, 4, 4, 0, 30, 0, 0, 0, 0, 86.90),
(56, 4, 5, 0, 20, 0, 0, 0, 0, 147.40),
(57, 4, 6, 0, 0, 0, 0, 0, 0, 21.45),
(58, 4, 7, 0, 0, 0, 0, 0, 0, 202.40),
(59, 4, 8, 0, 60, 0, 0, 0, 0, 37.95),
(60, 4, 9, 0, 100, 0, 0, 0, 0, 26.95),
(61, 4, 10, 0, 0, 0, 0, 0, 0, 48.95),
(62, 4, 11, 0, 0, 0, 0, 0, 0, 43.45),
(63, 4, 12, 0, 0, 0, 0, 0, 0, 54.45),
(64, 4, 13, 0, 0, 0, 0, 0, 0, 75.90),
(65, 4, 14, 0, 0, 0, 0, 0, 0, 109.45),
(66, 4, 15, 0, 0, 0, 0, 0, 0, 1034.00),
(67, 4, 16, 0, 0, 0, 0, 0, 0, 0.00),
(68, 4, 17, 0, 0, 0, 0, 0, 0, 32.45);

-- ---------------------------------------------------------------- settings (trade-rules §1.18); durations in seconds
INSERT INTO cfg_setting (rec_id, setting_key, setting_value, value_type, description) VALUES
(1,  'CFG_GEN_API_GOODS_SPEC',      '1',    'bool',    '是否需要从原始单货品生成api_goodsspec (INIT-02)'),
(2,  'CFG_DYNAMIC_MATCH',           '0',    'bool',    '开启动态匹配 (SUB-MAP-08, SUB-MAP-10)'),
(3,  'CFG_REMARK_EXTRACT',          '1',    'bool',    '开启备注提取 (SUB-CFG-01/02, MOD-T8-05)'),
(4,  'CFG_CLIENT_REMARK_EXTRACT',   '1',    'bool',    '开启提取备注, client remark (SUB-CFG-04)'),
(5,  'CFG_REMARK_LOGI_AFTER_AUDIT', '0',    'bool',    '订单进入待审核后是否根据备注提取物流 (INIT-01, MOD-T8-05)'),
(6,  'CFG_GRAB',                    '0',    'bool',    '开启抢单 (SUB-CFG-06, SUB-STAT-07)'),
(7,  'CFG_PREORDER',                '1',    'bool',    '开启转预订单配置/策略 (SUB-CFG-05, SUB-PRE-01)'),
(8,  'CFG_PREORDER_STOCKOUT',       '0',    'bool',    '开启库存不足转策略 (SUB-PRE-01)'),
(9,  'CFG_PREORDER_STOCK_CALC',     '1',    'enum',    '选择库存计算方式: 1 sys_stock of SUB-WH-07, 2 stock_num − sending_num, 3 stock_num (SUB-PRE-01, OP-44)'),
(10, 'CFG_WH_BY_GOODS',             '1',    'bool',    '系统配置开启按货品选仓 (SUB-WH-02, SUB-WH-09)'),
(11, 'CFG_CHECK_STOCK',             '1',    'bool',    '设置校验库存 (SUB-WH-08)'),
(12, 'CFG_AUTO_EXTERNAL_WH',        '0',    'bool',    '开启自动转外部仓库 (SUB-PRE-01, SUB-STAT-02)'),
(13, 'CFG_PACKAGE',                 '1',    'enum',    '开启选择包装策略: 0 off, 1 by weight, 2 by volume (SUB-PKG-*)'),
(14, 'CFG_COD_LOGI_MODE',           '1',    'enum',    '货到付款物流: 1 按仓库 by warehouse, 2 按店铺 by shop (SUB-LOGI-02)'),
(15, 'CFG_LOGI_BY_WEIGHT',          '0',    'bool',    '开启按重量匹配物流 (SUB-LOGI-04)'),
(16, 'CFG_NO_DEFAULT_LOGI',         '0',    'bool',    '物流为无不启用默认物流 (SUB-LOGI-05)'),
(17, 'CFG_FULL_LINK',               '0',    'bool',    '同步订单全链路 (SUB-FL-01)'),
(18, 'CFG_BLOCK_GIFT',              '0',    'bool',    '开启拦截赠品配置 (MOD-T1-33, MOD-O1-10, MOD-O2-04)'),
(19, 'CFG_REMARK_CHANGE_BLOCK',     '1',    'bool',    '开启备注变化拦截操作 (MOD-T8-07/08)'),
(20, 'CFG_WH_CHANGE_PROMPT',        '0',    'bool',    '修改按货品选择仓库的时候提示 (MID-MRG-02)'),
(21, 'CFG_SPLIT_BY_WH',             '0',    'bool',    '按不同仓库进行拆分 (MID-SPW-01)'),
(22, 'CFG_NO_ALL_GIFT_SPLIT',       '1',    'bool',    '不允许拆分后的订单全是赠品 (MID-SPW-04)'),
(23, 'CFG_BIG_MAX_SPLIT',           '5',    'int',     '大件允许拆分的最大次数 (MID-BIG-01)'),
(24, 'CFG_SPLIT_PREORDER',          '0',    'bool',    '拆分预订单的配置: 0 off, 1 stock/keyword pre-orders send ready lines to audit (MID-PRE-01, D-MID-22)'),
(25, 'DELAY_AUDIT',                 '600',  'seconds', '延迟审核时间, PBS orders (SUB-STAT-08, MOD-T1-07/24, MID-DLY-*)'),
(26, 'COD_DELAY',                   '1800', 'seconds', '延时时间(系统设置), COD orders (SUB-STAT-08)'),
(27, 'WAIT_UNPAID',                 '1800', 'seconds', '等未付时间 (SUB-WU-01/02, MOD-T1-24)'),
(28, 'CFG_COD_LOGISTICS_ID',        '3',    'id',      '指定的货到付款物流, logistics strategy page (SUB-LOGI-03); 0 none'),
(29, 'CFG_DEFAULT_LOGISTICS_TYPE',  '2',    'enum',    'designated logistics type for SUB-LOGI-04 step 4 / SUB-LOGI-05 (cfg_logistics.logistics_type)');

INSERT INTO hr_employee (employee_id, employee_no, name) VALUES
(1, 'E001', '李娜'), (2, 'E002', '王强'), (3, 'E003', '张敏');

INSERT INTO cfg_trade_flag (flag_id, flag_name, color) VALUES
(1, '加急', 'red'), (2, '礼品单', 'purple'), (3, '预售', 'blue');

INSERT INTO cfg_oper_reason (reason_id, class, title) VALUES
(1, 1, '客户要求暂缓发货'), (2, 1, '备注要求冻结'), (3, 2, '客户取消'), (4, 3, '退款拦截');

INSERT INTO cfg_salesman_extract (rec_id, prefix, suffix) VALUES
(1, '业务员:', ';');

-- newest first: created_at decides the order (OP-29); class 1 CS remark, class 2 client remark
INSERT INTO cfg_trade_remark_extract (rec_id, class, keyword, target_type, target_id, shop_id, created_at) VALUES
(1, 1, '顺丰',     1, 1, 0, '2026-11-01 09:00:00.000'),
(2, 1, '送礼物',   2, 2, 0, '2026-11-01 09:01:00.000'),
(3, 1, '北京仓',   4, 3, 0, '2026-11-01 09:02:00.000'),
(4, 1, '暂不发货', 6, 1, 0, '2026-11-01 09:03:00.000'),
(5, 1, '预售',     5, 0, 0, '2026-11-01 09:04:00.000'),
(6, 1, '加急',     2, 1, 0, '2026-11-01 09:05:00.000'),
(7, 2, '送礼物',   2, 2, 0, '2026-11-01 09:06:00.000'),
(8, 2, '送人',     2, 2, 0, '2026-11-01 09:07:00.000');

INSERT INTO cfg_preorder_keyword (rec_id, shop_id, goods_keyword, spec_keyword) VALUES
(1, 0, '预售', ''),
(2, 1, '普洱', '357g');

-- logistics strategy: global ZTO (YTO above 3 kg when by-weight is on), BJ warehouse YTO, tb-flagship SF
INSERT INTO cfg_logistics_strategy (rec_id, scope, warehouse_id, shop_id, logistics_id, weight_min, weight_max, priority) VALUES
(1, 1, 0, 0, 2, 0, 3, 10),
(2, 1, 0, 0, 4, 3, 0, 5),
(3, 2, 3, 0, 4, 0, 0, 10),
(4, 3, 0, 1, 1, 0, 0, 10);

INSERT INTO cfg_logistics_area (rec_id, logistics_id, province, city, district, is_reachable) VALUES
(1, 2, '西藏自治区', '', '', 0),
(2, 2, '新疆维吾尔自治区', '', '', 0),
(3, 4, '西藏自治区', '', '', 0);

-- fee brackets: first weight + per started step (round_mode 1); SF dearer to remote provinces; EMS above 20 kg
INSERT INTO cfg_logistics_fee (rec_id, logistics_id, province, city, weight_from, weight_to, first_weight, first_fee, step_weight, step_fee, round_mode) VALUES
(1, 1, '', '', 0, 0, 1, 12.00, 1, 2.00, 1),
(2, 1, '新疆维吾尔自治区', '', 0, 0, 1, 25.00, 1, 12.00, 1),
(3, 1, '西藏自治区', '', 0, 0, 1, 25.00, 1, 12.00, 1),
(4, 2, '', '', 0, 0, 1, 5.00, 1, 1.00, 1),
(5, 3, '', '', 0, 20, 1, 10.00, 1, 3.00, 1),
(6, 3, '', '', 20, 0, 1, 10.00, 5, 10.00, 1),
(7, 4, '', '', 0, 0, 1, 5.50, 1, 1.20, 2);

INSERT INTO cfg_area_alias (rec_id, logistics_id, province, city, district, alias) VALUES
(1, 0, '上海', '上海市', '浦东新区', '沪东 浦东'),
(2, 0, '广东省', '深圳市', '南山区', '粤B 南山'),
(3, 1, '北京', '北京市', '朝阳区', '京A 朝阳 010'),
(4, 2, '浙江省', '杭州市', '西湖区', '杭州西湖 571');

INSERT INTO cfg_package (package_id, package_no, name, length, width, height, weight, cost) VALUES
(1, 'BOX-S', '小号纸箱', 20, 15, 10, 0.0500, 0.80),
(2, 'BOX-M', '中号纸箱', 30, 25, 20, 0.1200, 1.50),
(3, 'BOX-L', '大号纸箱', 50, 40, 30, 0.3000, 3.00);

INSERT INTO cfg_package_strategy (rec_id, mode, shop_id, weight_min, weight_max, volume_min, volume_max, package_id, priority) VALUES
(1, 1, 0, 0, 1, 0, 0, 1, 0),
(2, 1, 0, 1, 5, 0, 0, 2, 0),
(3, 1, 0, 5, 50, 0, 0, 3, 0),
(4, 2, 0, 0, 0, 0, 3000, 1, 0),
(5, 2, 0, 0, 0, 3000, 15000, 2, 0),
(6, 2, 0, 0, 0, 15000, 60000, 3, 0);

INSERT INTO cfg_auto_match_rule (rec_id, shop_id, match_key, target_scope, ignore_case, trim_space, priority) VALUES
(1, 0, 1, 0, 1, 1, 10),
(2, 0, 2, 0, 1, 1, 5);

-- ---------------------------------------------------------------- flash sale and delivery samples
INSERT INTO merchant (id, merchant_no, name, endpoint_url, secret_ref, timeout_ms) VALUES
(1, 'ranch-01', '云上牧场',   'http://127.0.0.1:18081/deliver', 'OF_MERCHANT_1_SECRET', 3000),
(2, 'tea-01',   '茗香茶业',   'http://127.0.0.1:18082/deliver', 'OF_MERCHANT_2_SECRET', 3000);

INSERT INTO fs_batch (id, batch_code, merchant_id, spec_id, product_type, main_title, subtitle, unit_price, total_num, sell_num, limit_unpaid_per_buyer, limit_per_order, limit_per_buyer, start_time, end_time, state, stage, repurchase_price, yield_rate, period_days, product_period) VALUES
(1, '030504', 1, 0, 0, '标题就是抢羊',     '未知',         1000.00,   5, 0, 2, 0, 0, '2026-01-01 00:00:00.000', '2027-12-31 23:59:59.000', 1, 1, 1031.67, 0.090000, 235, 100),
(2, 'TEA1111', 2, 1, 1, '龙井限时抢购',   '250g罐装',      99.00, 100, 0, 1, 5, 10, '2026-01-01 00:00:00.000', '2027-12-31 23:59:59.000', 1, 1,    0.00, 0.000000,   0,   0),
(3, 'TEA1001', 2, 3, 1, '铁观音限时抢购(已结束)', '250g袋装', 59.00, 50, 0, 1, 5, 10, '2026-10-01 00:00:00.000', '2026-10-02 00:00:00.000', 3, 1, 0.00, 0.000000, 0, 0);

-- accounts: users 1001..1003, merchants 1..2
INSERT INTO fs_account (id, owner_type, owner_id, point_balance, cash_balance) VALUES
(1, 1, 1001, 5000.00, 2000.00),
(2, 1, 1002,  500.00,  100.00),
(3, 1, 1003,    0.00,    0.00),
(4, 2, 1,       0.00,    0.00),
(5, 2, 2,       0.00,    0.00);
