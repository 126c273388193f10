// refmodel/checkpoint/pickle.cc — the state-dict unpickler. A stack machine over a few value
// kinds (none, bool, int, str, tuple, list, dict, global, storage, tensor). Objects are
// shared_ptr so that a memoized dict filled later by SETITEMS is the same object everywhere.
// Every read is bounds-checked; strings are length-checked before they are allocated.
#include "refmodel/checkpoint/pickle.h"

#include <memory>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace rwkvkit::refmodel::checkpoint {
namespace {

struct Value;
using Ref = std::shared_ptr<Value>;

struct Value {
  enum Kind { kNone, kBool, kInt, kStr, kTuple, kList, kDict, kGlobal, kStorage, kTensor } kind = kNone;
  int64_t i = 0;
  std::string s, s2;       // str; global module (s) and name (s2)
  std::vector<Ref> items;  // tuple/list; dict as key, value, key, value, ...
  PickledTensor t;         // storage (storage_* fields) and tensor
};

Ref Make(Value::Kind k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  return v;
}

class Unpickler {
 public:
  Unpickler(std::span<const uint8_t> b, const std::string& path, uint64_t base)
      : b_(b), path_(path), base_(base) {}

  absl::StatusOr<Ref> Run() {
    while (true) {
      op_at_ = pos_;
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t op, Read(1));
      if (op == '.') {
        RWKVKIT_ASSIGN_OR_RETURN(Ref top, Pop());
        return top;
      }
      RWKVKIT_RETURN_IF_ERROR(Step(static_cast<uint8_t>(op)));
    }
  }

 private:
  absl::Status Error(absl::StatusCode code, uint64_t at, std::string_view what) const {
    return absl::Status(code, absl::StrCat(path_, "@", base_ + at, ": ", std::string(what),
                                           " (data.pkl offset ", at, ")"));
  }
  absl::Status Corrupt(std::string_view what) const { return Error(absl::StatusCode::kDataLoss, op_at_, what); }

  // Reads an n-byte little-endian unsigned integer (n <= 8).
  absl::StatusOr<uint64_t> Read(size_t n) {
    if (n > b_.size() - pos_)
      return Error(absl::StatusCode::kDataLoss, pos_, "pickle truncated");
    uint64_t v = 0;
    for (size_t k = n; k-- > 0;) v = (v << 8) | b_[pos_ + k];
    pos_ += n;
    return v;
  }
  absl::StatusOr<std::string> ReadBytes(uint64_t n) {
    if (n > b_.size() - pos_) return Error(absl::StatusCode::kDataLoss, pos_, absl::StrCat("pickle truncated (a ", n, "-byte string)"));
    std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  absl::StatusOr<std::string> ReadLine() {
    for (size_t k = pos_; k < b_.size(); ++k) {
      if (b_[k] != '\n') continue;
      std::string s(reinterpret_cast<const char*>(b_.data() + pos_), k - pos_);
      pos_ = k + 1;
      return s;
    }
    return Error(absl::StatusCode::kDataLoss, pos_, "pickle truncated (a GLOBAL line)");
  }

  absl::StatusOr<Ref> Pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      return Corrupt("pickle stack underflow");
    Ref v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  absl::StatusOr<std::vector<Ref>> PopToMark() {
    if (marks_.empty() || marks_.back() > stack_.size()) return Corrupt("pickle has no MARK to pop to");
    std::vector<Ref> items(stack_.begin() + marks_.back(), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  absl::StatusOr<Ref> Top() {
    if (stack_.empty()) return Corrupt("pickle stack underflow");
    return stack_.back();
  }
  void Push(Ref v) { stack_.push_back(std::move(v)); }
  void PushInt(int64_t i) {
    Ref v = Make(Value::kInt);
    v->i = i;
    Push(std::move(v));
  }
  void PushStr(std::string s) {
    Ref v = Make(Value::kStr);
    v->s = std::move(s);
    Push(std::move(v));
  }

  absl::Status Step(uint8_t op);
  absl::Status Tuple(size_t n);
  absl::Status Long1();
  absl::Status SetItems(bool many);
  absl::Status Appends(bool many);
  absl::Status Reduce();
  absl::Status PersistentId();
  absl::Status Put(uint64_t idx);
  absl::Status Get(uint64_t idx);

  std::span<const uint8_t> b_;
  const std::string& path_;
  uint64_t base_;
  size_t pos_ = 0;
  size_t op_at_ = 0;
  std::vector<Ref> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Ref> memo_;
};

absl::Status Unpickler::Step(uint8_t op) {
  switch (op) {
    case 0x80: {  // PROTO
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t proto, Read(1));
      if (proto > 5) return Error(absl::StatusCode::kUnimplemented, op_at_, absl::StrCat("pickle protocol ", proto));
      return absl::OkStatus();
    }
    case 0x95: return Read(8).status();  // FRAME: a length hint only
    case '}': Push(Make(Value::kDict)); return absl::OkStatus();
    case ']': Push(Make(Value::kList)); return absl::OkStatus();
    case ')': Push(Make(Value::kTuple)); return absl::OkStatus();
    case '(': marks_.push_back(stack_.size()); return absl::OkStatus();
    case 't': return Tuple(SIZE_MAX);
    case 0x85: return Tuple(1);
    case 0x86: return Tuple(2);
    case 0x87: return Tuple(3);
    case 'N': Push(Make(Value::kNone)); return absl::OkStatus();
    case 0x88:
    case 0x89: {
      Ref v = Make(Value::kBool);
      v->i = op == 0x88;
      Push(std::move(v));
      return absl::OkStatus();
    }
    case 'J': {
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t v, Read(4));
      PushInt(static_cast<int32_t>(static_cast<uint32_t>(v)));
      return absl::OkStatus();
    }
    case 'K':
    case 'M': {
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t v, Read(op == 'K' ? 1 : 2));
      PushInt(static_cast<int64_t>(v));
      return absl::OkStatus();
    }
    case 0x8a: return Long1();
    case 'X':
    case 0x8c:
    case 0x8d: {  // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t n, Read(op == 'X' ? 4 : op == 0x8c ? 1 : 8));
      RWKVKIT_ASSIGN_OR_RETURN(std::string s, ReadBytes(n));
      PushStr(std::move(s));
      return absl::OkStatus();
    }
    case 'c': {  // GLOBAL "module\nname\n"
      Ref g = Make(Value::kGlobal);
      RWKVKIT_ASSIGN_OR_RETURN(g->s, ReadLine());
      RWKVKIT_ASSIGN_OR_RETURN(g->s2, ReadLine());
      Push(std::move(g));
      return absl::OkStatus();
    }
    case 0x93: {  // STACK_GLOBAL
      RWKVKIT_ASSIGN_OR_RETURN(Ref name, Pop());
      RWKVKIT_ASSIGN_OR_RETURN(Ref module, Pop());
      if (name->kind != Value::kStr || module->kind != Value::kStr) return Corrupt("STACK_GLOBAL needs two strings");
      Ref g = Make(Value::kGlobal);
      g->s = module->s;
      g->s2 = name->s;
      Push(std::move(g));
      return absl::OkStatus();
    }
    case 'R': return Reduce();
    case 'b': return Pop().status();  // BUILD: object state (an OrderedDict's _metadata); not needed
    case 's': return SetItems(false);
    case 'u': return SetItems(true);
    case 'a': return Appends(false);
    case 'e': return Appends(true);
    case 'Q': return PersistentId();
    case 'q':
    case 'r': {
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t idx, Read(op == 'q' ? 1 : 4));
      return Put(idx);
    }
    case 0x94: return Put(memo_.size());  // MEMOIZE
    case 'h':
    case 'j': {
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t idx, Read(op == 'h' ? 1 : 4));
      return Get(idx);
    }
    default:
      return Error(absl::StatusCode::kUnimplemented, op_at_,
                   absl::StrFormat("unknown pickle opcode 0x%02x%s", op,
                                   op >= 0x20 && op < 0x7f ? absl::StrCat(" ('", std::string(1, static_cast<char>(op)), "')") : ""));
  }
}

absl::Status Unpickler::Tuple(size_t n) {
  Ref t = Make(Value::kTuple);
  if (n == SIZE_MAX) {
    RWKVKIT_ASSIGN_OR_RETURN(t->items, PopToMark());
  } else {
    t->items.resize(n);
    for (size_t k = n; k-- > 0;) {
      RWKVKIT_ASSIGN_OR_RETURN(t->items[k], Pop());
    }
  }
  Push(std::move(t));
  return absl::OkStatus();
}

absl::Status Unpickler::Long1() {
  RWKVKIT_ASSIGN_OR_RETURN(uint64_t n, Read(1));
  if (n > 8) return Error(absl::StatusCode::kUnimplemented, op_at_, absl::StrCat("LONG1 of ", n, " bytes"));
  RWKVKIT_ASSIGN_OR_RETURN(uint64_t v, Read(n));
  if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t{0} << (8 * n);  // sign-extend
  PushInt(static_cast<int64_t>(v));
  return absl::OkStatus();
}

absl::Status Unpickler::SetItems(bool many) {
  std::vector<Ref> kv;
  if (many) {
    RWKVKIT_ASSIGN_OR_RETURN(kv, PopToMark());
  } else {
    kv.resize(2);
    RWKVKIT_ASSIGN_OR_RETURN(kv[1], Pop());
    RWKVKIT_ASSIGN_OR_RETURN(kv[0], Pop());
  }
  if (kv.size() % 2 != 0) return Corrupt("SETITEMS with an odd number of items");
  RWKVKIT_ASSIGN_OR_RETURN(Ref d, Top());
  if (d->kind != Value::kDict) return Corrupt("SETITEM(S) on something that is not a dict");
  for (Ref& x : kv) d->items.push_back(std::move(x));
  return absl::OkStatus();
}

absl::Status Unpickler::Appends(bool many) {
  std::vector<Ref> xs;
  if (many) {
    RWKVKIT_ASSIGN_OR_RETURN(xs, PopToMark());
  } else {
    xs.resize(1);
    RWKVKIT_ASSIGN_OR_RETURN(xs[0], Pop());
  }
  RWKVKIT_ASSIGN_OR_RETURN(Ref l, Top());
  if (l->kind != Value::kList) return Corrupt("APPEND(S) on something that is not a list");
  for (Ref& x : xs) l->items.push_back(std::move(x));
  return absl::OkStatus();
}

absl::Status Unpickler::Put(uint64_t idx) {
  RWKVKIT_ASSIGN_OR_RETURN(Ref top, Top());
  memo_[idx] = std::move(top);
  return absl::OkStatus();
}

absl::Status Unpickler::Get(uint64_t idx) {
  auto it = memo_.find(idx);
  if (it == memo_.end()) return Corrupt(absl::StrCat("memo key ", idx, " was never stored"));
  Push(it->second);
  return absl::OkStatus();
}

// Reads a tuple of ints (a tensor's size or stride).
bool IntTuple(const Ref& v, std::vector<int64_t>& out) {
  if (v->kind != Value::kTuple) return false;
  out.clear();
  for (const Ref& x : v->items) {
    if (x->kind != Value::kInt) return false;
    out.push_back(x->i);
  }
  return true;
}

absl::Status Unpickler::Reduce() {
  RWKVKIT_ASSIGN_OR_RETURN(Ref args, Pop());
  RWKVKIT_ASSIGN_OR_RETURN(Ref fn, Pop());
  if (fn->kind != Value::kGlobal || args->kind != Value::kTuple) return Corrupt("REDUCE needs a global and a tuple");
  const std::string qual = absl::StrCat(fn->s, ".", fn->s2);
  const std::vector<Ref>& a = args->items;
  if (qual == "collections.OrderedDict" && a.empty()) {
    Push(Make(Value::kDict));
    return absl::OkStatus();
  }
  if (qual == "torch._utils._rebuild_tensor_v2" || qual == "torch._utils._rebuild_tensor") {
    if (a.size() < 4 || a[0]->kind != Value::kStorage || a[1]->kind != Value::kInt)
      return Corrupt(absl::StrCat(qual, " called with unexpected arguments"));
    Ref t = Make(Value::kTensor);
    t->t = a[0]->t;
    t->t.storage_offset = a[1]->i;
    if (!IntTuple(a[2], t->t.shape) || !IntTuple(a[3], t->t.stride) || t->t.shape.size() != t->t.stride.size())
      return Corrupt(absl::StrCat(qual, ": size and stride must be tuples of ints of one length"));
    Push(std::move(t));
    return absl::OkStatus();
  }
  if ((qual == "torch._utils._rebuild_parameter" || qual == "torch._utils._rebuild_parameter_with_state") &&
      !a.empty() && a[0]->kind == Value::kTensor) {
    Push(a[0]);
    return absl::OkStatus();
  }
  return Error(absl::StatusCode::kUnimplemented, op_at_,
               absl::StrCat("pickle calls ", qual, ", which a state dict of tensors does not use"));
}

absl::Status Unpickler::PersistentId() {
  RWKVKIT_ASSIGN_OR_RETURN(Ref pid, Pop());
  const std::vector<Ref>& p = pid->items;
  if (pid->kind != Value::kTuple || p.size() != 5 || p[0]->kind != Value::kStr || p[0]->s != "storage" ||
      p[1]->kind != Value::kGlobal || p[2]->kind != Value::kStr || p[4]->kind != Value::kInt || p[4]->i < 0)
    return Corrupt("persistent id is not ('storage', type, key, location, numel)");
  Ref s = Make(Value::kStorage);
  s->t.storage_type = p[1]->s2;
  s->t.storage_key = p[2]->s;
  s->t.storage_numel = p[4]->i;
  Push(std::move(s));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<PickledTensor>> ParseStateDict(std::span<const uint8_t> pkl,
                                                          const std::string& path, uint64_t base) {
  Unpickler u(pkl, path, base);
  RWKVKIT_ASSIGN_OR_RETURN(Ref top, u.Run());
  if (top->kind != Value::kDict)
    return absl::DataLossError(absl::StrCat(path, "@", base, ": data.pkl holds no dict (not a state dict)"));
  std::vector<PickledTensor> out;
  for (size_t k = 0; k + 1 < top->items.size(); k += 2) {
    const Ref& key = top->items[k];
    const Ref& val = top->items[k + 1];
    if (key->kind != Value::kStr || val->kind != Value::kTensor) continue;
    out.push_back(val->t);
    out.back().name = key->s;
  }
  return out;
}

}  // namespace rwkvkit::refmodel::checkpoint
